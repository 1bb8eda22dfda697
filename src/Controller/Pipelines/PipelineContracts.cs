namespace Farm.Controller.Pipelines;

/// <summary>The result of an apply.</summary>
[GenerateSerializer, Immutable]
public sealed record ApplyOutcome([property: Id(0)] int Version, [property: Id(1)] bool Unchanged);

/// <summary>One stored version of a pipeline file.</summary>
[GenerateSerializer, Immutable]
public sealed record StoredPipelineVersion(
    [property: Id(0)] int Version,
    [property: Id(1)] string Source,
    [property: Id(2)] DateTimeOffset AppliedAt,
    [property: Id(3)] int LatestVersion);

/// <summary>Why a start did not start anything.</summary>
public enum StartRefusal
{
    None,
    PipelineNotFound,
    InvalidVariables,
}

/// <summary>The result of a start: an execution id, or a refusal with its reasons.</summary>
[GenerateSerializer, Immutable]
public sealed record StartOutcome(
    [property: Id(0)] string? ExecutionId,
    [property: Id(1)] StartRefusal Refusal,
    [property: Id(2)] string[] Errors);
