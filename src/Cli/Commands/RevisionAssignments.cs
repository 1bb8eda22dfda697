namespace Farm.Cli.Commands;

/// <summary>
/// Reads <c>--revision ACTION=REV</c> for <c>farm start</c>: which commit, branch or tag a git action
/// builds instead of its source's newest. Parsed like <c>--var</c> (<see cref="VariableAssignments"/>);
/// unlike a variable, the revision may not be empty. Whether the action exists and the revision
/// resolves is for the controller to say.
/// </summary>
internal static class RevisionAssignments
{
    /// <summary>The action and revision, split at the first <c>=</c>; null when either is missing or blank.</summary>
    public static KeyValuePair<string, string>? TryParse(string assignment) =>
        VariableAssignments.TryParse(assignment) is { } pair && !string.IsNullOrWhiteSpace(pair.Value)
            ? new KeyValuePair<string, string>(pair.Key.Trim(), pair.Value.Trim())
            : null;

    /// <summary>The message for an assignment <see cref="TryParse"/> refuses, naming it.</summary>
    public static string Malformed(string assignment) =>
        $"--revision '{assignment}' is not ACTION=REV; write it like --revision source=main, --revision source=v1.4.2 or --revision source=3f2a9c1.";

    /// <summary>All assignments in order; a later one for the same action wins, as for <c>--var</c>.</summary>
    /// <exception cref="CliException">An assignment is malformed.</exception>
    public static Dictionary<string, string> ParseAll(IEnumerable<string> assignments)
    {
        var revisions = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var assignment in assignments)
        {
            var (action, revision) = TryParse(assignment) ?? throw new CliException(Malformed(assignment));
            revisions[action] = revision;
        }

        return revisions;
    }
}
