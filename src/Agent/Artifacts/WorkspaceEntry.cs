namespace Farm.Agent.Artifacts;

/// <summary>One workspace entry an artifact holds: its '/'-separated path relative to the workspace, and its kind.</summary>
public sealed record WorkspaceEntry(string Path, WorkspaceEntryKind Kind);
