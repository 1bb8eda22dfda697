namespace Farm.Core.Pipelines;

/// <summary>The fields of a <see cref="ActionType.Git"/> action.</summary>
/// <param name="Repository">A local path, <c>file://</c>, <c>http(s)://</c> or <c>ssh://</c> URL.</param>
/// <param name="Branch">The branch to follow; at most one of branch, tag and commit. Default: the remote's HEAD.</param>
/// <param name="Tag">A tag to check out.</param>
/// <param name="Commit">A fixed commit (full or abbreviated hex).</param>
/// <param name="Depth">Shallow fetch depth; null for the full history.</param>
/// <param name="WebUrl">Base URL of the repository's web pages, for links to commits; null when there is none.</param>
public sealed record GitSource(string Repository, string? Branch, string? Tag, string? Commit, int? Depth, string? WebUrl);
