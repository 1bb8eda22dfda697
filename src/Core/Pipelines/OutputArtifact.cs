namespace Farm.Core.Pipelines;

/// <summary>An artifact an action makes from its workspace after its commands succeed.</summary>
/// <param name="Name">Unique within the pipeline; later actions name it in their input artifacts.</param>
/// <param name="Paths">Workspace-relative paths or globs (<c>*</c> within a folder, <c>**</c> across folders).</param>
public sealed record OutputArtifact(string Name, IReadOnlyList<string> Paths);
