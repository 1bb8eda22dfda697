namespace Farm.Cli.Commands;

/// <summary>Reads <c>--var NAME=VALUE</c> assignments for <c>farm start</c>.</summary>
internal static class VariableAssignments
{
    /// <summary>
    /// Splits one assignment at its first <c>=</c>, so a value may itself contain <c>=</c>
    /// (<c>--var FLAGS=-DX=1</c>); null when there is no <c>=</c> or no name before it.
    /// </summary>
    public static KeyValuePair<string, string>? TryParse(string assignment)
    {
        var equals = assignment.IndexOf('=', StringComparison.Ordinal);
        return equals <= 0 || string.IsNullOrWhiteSpace(assignment[..equals])
            ? null
            : new KeyValuePair<string, string>(assignment[..equals], assignment[(equals + 1)..]);
    }

    /// <summary>The message for an assignment <see cref="TryParse"/> refuses, naming it.</summary>
    public static string Malformed(string assignment) =>
        $"--var '{assignment}' is not NAME=VALUE; write it like --var BRANCH=main.";

    /// <summary>All assignments in order; a later one for the same name wins, as in <c>make</c>.</summary>
    /// <exception cref="CliException">An assignment is malformed.</exception>
    public static Dictionary<string, string> ParseAll(IEnumerable<string> assignments)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var assignment in assignments)
        {
            var (name, value) = TryParse(assignment) ?? throw new CliException(Malformed(assignment));
            variables[name] = value;
        }

        return variables;
    }
}
