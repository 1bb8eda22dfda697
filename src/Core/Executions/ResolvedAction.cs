namespace Farm.Core.Executions;

/// <summary>An action's configuration as dispatched, every <c>#{...}</c> reference resolved.</summary>
public sealed record ResolvedAction(
    string? Image,
    IReadOnlyList<string> Commands,
    IReadOnlyDictionary<string, string> Env,
    string? Network,
    IReadOnlyList<ArtifactRef> InputArtifacts);
