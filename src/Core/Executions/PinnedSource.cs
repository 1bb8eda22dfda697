namespace Farm.Core.Executions;

/// <summary>A Git source revision fixed when the execution started; its git action checks out exactly this commit.</summary>
/// <param name="Stage">The git action's stage.</param>
/// <param name="Action">The git action.</param>
/// <param name="Repository">The repository.</param>
/// <param name="Ref">The branch or tag the commit came from; null for a fixed commit.</param>
/// <param name="Commit">The full commit id.</param>
public sealed record PinnedSource(string Stage, string Action, string Repository, string? Ref, string Commit);
