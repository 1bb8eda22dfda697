using Farm.Core.Pipelines;

namespace Farm.Controller.Sources;

/// <summary>
/// Turns what a git action follows (its branch, tag or commit, or a revision asked for at start)
/// into a full commit id, by asking the repository. Thread-safe; may take as long as the remote
/// does; cancellable. Throws <see cref="SourceResolutionException"/> with git's own message when the
/// repository or revision cannot be found.
/// </summary>
public interface ISourceResolver
{
    /// <param name="source">The git action's settings.</param>
    /// <param name="requested">A commit, branch or tag asked for instead of the action's own; null for the action's own.</param>
    Task<ResolvedRevision> ResolveAsync(GitSource source, string? requested, CancellationToken cancellationToken);
}

/// <summary>A resolved revision: the full commit id and the branch or tag it was found on (null for a commit).</summary>
public sealed record ResolvedRevision(string Commit, string? Ref);

/// <summary>A repository or revision that cannot be resolved; the message carries git's own words.</summary>
public sealed class SourceResolutionException(string message) : Exception(message);
