namespace Farm.Core.Executions;

/// <summary>A stored artifact archive: its name in the pipeline and its content address.</summary>
/// <param name="Name">The artifact's name.</param>
/// <param name="Sha256">SHA-256 of the archive, 64 lower-case hex digits.</param>
/// <param name="Size">Size of the archive in bytes.</param>
public sealed record ArtifactRef(string Name, string Sha256, long Size);
