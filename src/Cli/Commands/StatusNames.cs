using Farm.Api.V1;

namespace Farm.Cli.Commands;

/// <summary>
/// The status names people type after <c>--status</c>: the API's enum names in lower case with
/// dashes (<c>in-progress</c>, <c>succeeded</c>), plus <c>running</c>, which is what the tables show
/// for IN_PROGRESS.
/// </summary>
internal static class StatusNames
{
    private static readonly (string Name, ExecutionStatus Status)[] Names =
    [
        ("pending", ExecutionStatus.Pending),
        ("queued", ExecutionStatus.Queued),
        ("in-progress", ExecutionStatus.InProgress),
        ("running", ExecutionStatus.InProgress),
        ("succeeded", ExecutionStatus.Succeeded),
        ("failed", ExecutionStatus.Failed),
        ("stopping", ExecutionStatus.Stopping),
        ("stopped", ExecutionStatus.Stopped),
        ("superseded", ExecutionStatus.Superseded),
        ("abandoned", ExecutionStatus.Abandoned),
        ("skipped", ExecutionStatus.Skipped),
    ];

    /// <summary>Every accepted name, for messages and help.</summary>
    public static string Choices { get; } = string.Join(", ", Names.Select(n => n.Name));

    /// <summary>The status <paramref name="name"/> stands for, ignoring case and accepting <c>_</c> for <c>-</c>; null when none does.</summary>
    public static ExecutionStatus? TryParse(string name)
    {
        var key = name.Trim().Replace('_', '-').ToLowerInvariant();
        foreach (var (each, status) in Names)
        {
            if (each == key)
            {
                return status;
            }
        }

        return null;
    }

    /// <summary>The name to print for <paramref name="status"/> in a command line (<c>in-progress</c>, not <c>running</c>).</summary>
    public static string Name(ExecutionStatus status) => Names.First(n => n.Status == status).Name;

    /// <summary>
    /// Every status in <paramref name="values"/>, each a name or a comma-separated list of names
    /// (<c>--status failed,stopped</c>), without repeats, in the order given.
    /// </summary>
    /// <exception cref="CliException">A name is not a status; the message lists the valid ones.</exception>
    public static IReadOnlyList<ExecutionStatus> ParseAll(IEnumerable<string> values)
    {
        var statuses = new List<ExecutionStatus>();
        foreach (var name in Split(values))
        {
            var status = TryParse(name) ?? throw new CliException(Unknown(name));
            if (!statuses.Contains(status))
            {
                statuses.Add(status);
            }
        }

        return statuses;
    }

    /// <summary>The single names in <paramref name="values"/>, comma-separated lists split.</summary>
    public static IEnumerable<string> Split(IEnumerable<string> values) =>
        values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>The message for a name that is not a status.</summary>
    public static string Unknown(string name) => $"--status '{name}' is not a status; use one of {Choices}.";
}
