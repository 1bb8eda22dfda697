namespace Farm.Agent.Artifacts;

/// <summary>What a workspace entry is, as an archive stores it. Links are stored as links, never followed.</summary>
public enum WorkspaceEntryKind
{
    File,
    Folder,
    Link,
}
