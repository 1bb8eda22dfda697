using Orleans.Concurrency;

namespace Farm.Controller.Pipelines;

/// <summary>
/// One pipeline, keyed by its name: its versions, the numbering of its executions, and the
/// run-time state its executions share: which execution is in each stage, which wait to enter it,
/// and which inbound transitions are disabled. It decides stage entry by the pipeline's execution
/// mode, so executions never have to coordinate with each other. It reaches execution grains only
/// by one-way calls (and read-only interleaved ones), so an execution may call it at any time
/// without a deadlock.
/// </summary>
public interface IPipelineGrain : IGrainWithStringKey
{
    /// <summary>
    /// Stores a pipeline file as the next version. The caller has validated it; the grain parses it
    /// again and throws <see cref="ArgumentException"/> when it is invalid or names another pipeline.
    /// When it changes protected stages (<see cref="Core.Pipelines.ProtectedChanges"/>) and
    /// <paramref name="caller"/> may not change them (no caller: may not), nothing is stored and the
    /// outcome is <see cref="ApplyOutcome.Refused"/> with the changes. Checked here, against the
    /// version this grain holds, so no apply in between can slip past the check.
    /// </summary>
    Task<ApplyOutcome> Apply(string source, ApplyCaller? caller = null);

    /// <summary>A stored version; 0 for the latest. Null when the pipeline or version does not exist.</summary>
    Task<StoredPipelineVersion?> GetVersion(int version);

    /// <summary>
    /// Starts an execution of the latest version, which must be <see cref="StartRequest.Version"/>
    /// (sources are resolved for it); use <see cref="Executions.ExecutionStarter"/>, which resolves them.
    /// </summary>
    Task<StartOutcome> Start(StartRequest request);

    /// <summary>Starts a rollback of <paramref name="stage"/> to <paramref name="targetExecutionId"/>.</summary>
    Task<StartOutcome> Rollback(string stage, string targetExecutionId);

    /// <summary>
    /// For a stage whose onFailure is rollback: starts a rollback of it to the newest execution in
    /// which it succeeded. Returns a refusal when there is none.
    /// </summary>
    Task<StartOutcome> RollbackToLastSuccess(string stage, string failedExecutionId);

    /// <summary>
    /// An execution asks to enter a stage. Granted: it holds the stage now. Wait: it is in the
    /// stage's queue and gets <see cref="Executions.IExecutionGrain.EntryGranted"/> when its turn
    /// comes. Superseded: a newer execution waits for the same stage (superseded mode).
    /// </summary>
    Task<EntryDecision> RequestEntry(string executionId, string stage);

    /// <summary>
    /// The execution now holds exactly <paramref name="stage"/> (or nothing, when null): every other
    /// stage it held or waited for is released and given to the next in line.
    /// </summary>
    Task Hold(string executionId, string? stage);

    /// <summary>Disables or enables a stage's inbound transition.</summary>
    Task<TransitionOutcome> SetTransition(string stage, bool enabled, string? reason);

    /// <summary>The run-time state; null when the pipeline does not exist.</summary>
    [AlwaysInterleave]
    Task<PipelineRuntime?> GetRuntime();

    /// <summary>The run-time state once its revision is above <paramref name="afterRevision"/>, or after <paramref name="timeout"/>.</summary>
    [AlwaysInterleave]
    Task<PipelineRuntime?> WaitForRuntimeChange(long afterRevision, TimeSpan timeout);
}
