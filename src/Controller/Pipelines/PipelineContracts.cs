namespace Farm.Controller.Pipelines;

/// <summary>
/// The result of an apply: the version made (or the latest, when <paramref name="Unchanged"/>), and
/// what it changed in protected stages. <paramref name="Refused"/>: those changes need an approver
/// or admin, and nothing was stored.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ApplyOutcome(
    [property: Id(0)] int Version,
    [property: Id(1)] bool Unchanged,
    [property: Id(2)] string[]? ProtectedChanges = null,
    [property: Id(3)] bool Refused = false);

/// <summary>
/// Who applies a file, as the grain needs to know it: a name for the log, and whether the caller
/// may change protected stages (the approver and admin roles).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ApplyCaller([property: Id(0)] string Name, [property: Id(1)] bool MayChangeProtected);

/// <summary>One stored version of a pipeline file.</summary>
[GenerateSerializer, Immutable]
public sealed record StoredPipelineVersion(
    [property: Id(0)] int Version,
    [property: Id(1)] string Source,
    [property: Id(2)] DateTimeOffset AppliedAt,
    [property: Id(3)] int LatestVersion);

/// <summary>Why a start did not start anything; each maps to one gRPC status.</summary>
public enum StartRefusal
{
    None,
    PipelineNotFound,
    InvalidVariables,
    NotFound,
    FailedPrecondition,

    /// <summary>A new version was applied after the caller resolved sources for the one before; resolve again.</summary>
    VersionChanged,
}

/// <summary>The result of a start or a rollback: an execution id, or a refusal with its reasons.</summary>
[GenerateSerializer, Immutable]
public sealed record StartOutcome(
    [property: Id(0)] string? ExecutionId,
    [property: Id(1)] StartRefusal Refusal,
    [property: Id(2)] string[] Errors)
{
    public static StartOutcome Refused(StartRefusal refusal, string error) => new(null, refusal, [error]);
}

/// <summary>What a stage entry request got.</summary>
public enum EntryVerdict
{
    Granted,
    Wait,
    Superseded,
}

/// <summary>The answer to a stage entry request; <see cref="Reason"/> says why it waits, or which execution superseded it.</summary>
[GenerateSerializer, Immutable]
public sealed record EntryDecision([property: Id(0)] EntryVerdict Verdict, [property: Id(1)] string Reason);

/// <summary>The result of disabling or enabling a transition.</summary>
[GenerateSerializer, Immutable]
public sealed record TransitionOutcome(
    [property: Id(0)] PipelineRuntime? Runtime,
    [property: Id(1)] StartRefusal Refusal,
    [property: Id(2)] string? Error);

/// <summary>A pipeline's run-time state, for the API and the dashboard.</summary>
[GenerateSerializer, Immutable]
public sealed record PipelineRuntime(
    [property: Id(0)] string Name,
    [property: Id(1)] int Version,
    [property: Id(2)] string ExecutionMode,
    [property: Id(3)] StageRuntime[] Stages,
    [property: Id(4)] long Revision);

/// <summary>One stage's run-time state.</summary>
[GenerateSerializer, Immutable]
public sealed record StageRuntime(
    [property: Id(0)] string Name,
    [property: Id(1)] string? DisabledReason,
    [property: Id(2)] string[] Executions,
    [property: Id(3)] string[] Waiting);

/// <summary>How an execution is to start: its variables, its source revisions, and what started it.</summary>
/// <param name="Variables">Values for declared variables.</param>
/// <param name="Sources">A pinned revision for every git action of <paramref name="Version"/>.</param>
/// <param name="Version">The pipeline version the sources were resolved for; a start on another version is refused so the caller resolves again.</param>
[GenerateSerializer, Immutable]
public sealed record StartRequest(
    [property: Id(0)] Dictionary<string, string> Variables,
    [property: Id(1)] Farm.Core.Executions.PinnedSource[] Sources,
    [property: Id(2)] int Version,
    [property: Id(3)] string Trigger,
    [property: Id(4)] string? TriggeredBy,
    [property: Id(5)] Farm.Core.Executions.ParentLink? Parent = null);
