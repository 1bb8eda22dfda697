using Farm.Api.V1;
using Farm.Core.Pipelines;

namespace Farm.Dashboard.Controller;

/// <summary>A stored pipeline version and its definition parsed; <see cref="Definition"/> is null only if the stored text no longer parses.</summary>
public sealed record PipelineDetails(Pipeline Stored, PipelineDefinition? Definition);
