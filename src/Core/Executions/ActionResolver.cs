using Farm.Core.Pipelines;

namespace Farm.Core.Executions;

/// <summary>Resolves every <c>#{...}</c> reference of an action for one execution, just before dispatch.</summary>
public static class ActionResolver
{
    /// <summary>The values references may name in <paramref name="run"/>.</summary>
    public static IReadOnlyDictionary<string, string> Values(ExecutionRun run)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["execution.id"] = run.Id,
            ["pipeline.name"] = run.Pipeline,
        };
        foreach (var (name, value) in run.Variables)
        {
            values["variables." + name] = value;
        }

        return values;
    }

    /// <summary>
    /// The action with commands, env values, image and network resolved. Validation at apply time
    /// guarantees every reference exists, so a missing one here is a bug and throws.
    /// </summary>
    public static ActionDefinition Resolve(ActionDefinition action, ExecutionRun run)
    {
        var values = Values(run);
        string R(string text) => Interpolation.Resolve(text, values);
        return action with
        {
            Commands = action.Commands.Select(R).ToList(),
            Env = action.Env.ToDictionary(e => e.Key, e => R(e.Value)),
            Image = action.Image is null ? null : R(action.Image),
            Network = action.Network is null ? null : R(action.Network),
        };
    }
}
