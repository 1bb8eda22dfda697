namespace Farm.Agent.Artifacts;

/// <summary>
/// An artifact could not be made, moved or unpacked for a reason a person can act on (a path that
/// leaves the workspace, a glob that matches nothing, an archive the controller does not hold). The
/// message says what and where; the attempt fails with it.
/// </summary>
public sealed class ArtifactException(string message, Exception? inner = null) : Exception(message, inner);
