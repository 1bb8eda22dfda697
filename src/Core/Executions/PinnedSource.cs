namespace Farm.Core.Executions;

/// <summary>A Git source revision fixed when the execution started; its git action checks out exactly this commit.</summary>
/// <param name="Stage">The git action's stage.</param>
/// <param name="Action">The git action.</param>
/// <param name="Repository">The repository.</param>
/// <param name="Ref">The branch or tag the commit came from; null for a fixed commit.</param>
/// <param name="Commit">The full commit id.</param>
/// <param name="WebUrl">The repository's web pages, for a link to the commit; null when it has none.</param>
public sealed record PinnedSource(string Stage, string Action, string Repository, string? Ref, string Commit, string? WebUrl = null)
{
    /// <summary>A link to the commit (GitHub, GitLab and Gitea all serve <c>/commit/ID</c>); null without a web URL.</summary>
    public string? CommitUrl => WebUrl is null ? null : $"{WebUrl.TrimEnd('/')}/commit/{Commit}";
}
