using Farm.Api.V1;

namespace Farm.Cli.Commands;

/// <summary>An action's place in an execution: what ReadLog needs.</summary>
internal sealed record ActionPath(string Stage, string Action)
{
    public override string ToString() => $"{Stage}/{Action}";
}

/// <summary>
/// Finds the action a person named for <c>farm logs</c>: <c>Stage/action</c>, or just <c>action</c>
/// when only one stage has an action of that name, which is the common case and quicker to type.
/// </summary>
internal static class ActionSelector
{
    /// <exception cref="CliException">No action matches, or a bare name matches in several stages; the message lists the choices.</exception>
    public static ActionPath Resolve(Execution execution, string selector)
    {
        var all = execution.Stages.SelectMany(s => s.Actions.Select(a => new ActionPath(s.Name, a.Name))).ToList();
        var slash = selector.IndexOf('/', StringComparison.Ordinal);
        var matches = slash >= 0
            ? all.Where(p => p.Stage == selector[..slash] && p.Action == selector[(slash + 1)..]).ToList()
            : all.Where(p => p.Action == selector).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new CliException(
                $"execution {execution.Id} has no action '{selector}'; its actions are {Choices(all)}."),
            _ => throw new CliException(
                $"several stages of execution {execution.Id} have an action '{selector}'; name one of {Choices(matches)}."),
        };
    }

    private static string Choices(IEnumerable<ActionPath> paths) => string.Join(", ", paths);
}
