using System.Globalization;
using Farm.Core.Executions;

namespace Farm.Controller.Storage;

/// <summary>
/// A source revision as an execution shows it, in its history row and in the API: the commit pinned
/// at start, with the author, message and time its git action reported once it fetched the commit
/// (null until then).
/// </summary>
public sealed record SourceSummary(
    string Action, string Repository, string? Ref, string Commit, string? Url,
    string? Author = null, string? Message = null, DateTimeOffset? CommittedAt = null)
{
    /// <summary>Each source of <paramref name="run"/>, in its order, with what its git action reported so far.</summary>
    public static IReadOnlyList<SourceSummary> Of(ExecutionRun run) => run.Sources.Count == 0 ? [] : run.Sources.Select(source => Of(run, source)).ToList();

    private static SourceSummary Of(ExecutionRun run, PinnedSource source)
    {
        var outputs = run.Stages.FirstOrDefault(s => s.Name == source.Stage)?.Actions.FirstOrDefault(a => a.Name == source.Action)?.Outputs;
        DateTimeOffset? committed = outputs?.GetValueOrDefault("committed_at") is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, out var at) ? at : null;
        return new SourceSummary(source.Action, source.Repository, source.Ref, source.Commit, source.CommitUrl,
            outputs?.GetValueOrDefault("author"), outputs?.GetValueOrDefault("message"), committed);
    }
}
