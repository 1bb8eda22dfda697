namespace Farm.Controller.Triggers;

/// <summary>A push as a Git host reports it.</summary>
/// <param name="Ref">The full ref pushed: <c>refs/heads/main</c>, <c>refs/tags/v1</c>.</param>
/// <param name="After">The commit the ref points at now; all zeros for a deletion.</param>
/// <param name="Deleted">The ref was deleted.</param>
/// <param name="ChangedFiles">Files the pushed commits added, modified or removed.</param>
/// <param name="RepositoryUrls">Every address the payload gives for the repository (clone, SSH, web).</param>
public sealed record PushEvent(string Ref, string After, bool Deleted, IReadOnlyList<string> ChangedFiles, IReadOnlyList<string> RepositoryUrls);
