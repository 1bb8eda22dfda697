using Farm.Core.Executions;
using Orleans.Concurrency;

namespace Farm.Controller.Executions;

/// <summary>
/// One execution, keyed by its id. Holds the state machine's state, persists every transition
/// before acting on it, asks its pipeline grain for stage entry, hands ready actions to the
/// dispatcher, and keeps the leases of its running attempts.
/// </summary>
public interface IExecutionGrain : IGrainWithStringKey
{
    /// <summary>Stores the new execution. Called once, by the pipeline grain, before <see cref="Kick"/>.</summary>
    Task Begin(ExecutionStart start, ExecutionRun run);

    /// <summary>
    /// Makes the execution go on: tells the pipeline which stage it holds (again, even if it did
    /// before), enters the next stage, dispatches ready actions. A finished execution only gives its
    /// stage back.
    /// </summary>
    [OneWay]
    Task Kick();

    /// <summary>The current state; null when no execution has this id.</summary>
    [AlwaysInterleave]
    Task<ExecutionRun?> Get();

    /// <summary>
    /// Returns the state as soon as its revision is above <paramref name="afterRevision"/>, or the
    /// unchanged state after <paramref name="timeout"/>. Null when no execution has this id.
    /// </summary>
    [AlwaysInterleave]
    Task<ExecutionRun?> WaitForChange(long afterRevision, TimeSpan timeout);

    /// <summary>Picks an unfinished execution up again after a controller restart.</summary>
    Task Resume();

    /// <summary>
    /// An agent holds the attempt (it accepted the offer, or says so after a reconnect). Returns
    /// false when the execution no longer wants it, or when the attempt is not the agent's to hold
    /// (<see cref="AttemptAccess.NotOffered"/>, audited): the agent must abandon it.
    /// </summary>
    Task<bool> Claim(string attemptId, string agentId);

    /// <summary>
    /// The attempt ended on <paramref name="agentId"/>. Stale or repeated reports change nothing
    /// (<see cref="AttemptAccess.Unknown"/> or <see cref="AttemptAccess.Granted"/>). A report from
    /// any agent but the one that holds the attempt, and any agent's report for an action the
    /// controller runs itself (an approval, a pipeline action), is refused: it changes nothing and
    /// is written to the audit log (<see cref="AttemptAccess.NotOffered"/>).
    /// </summary>
    Task<AttemptAccess> Finish(string agentId, AttemptResult result);

    /// <summary>
    /// Whether <paramref name="agentId"/> may ship the attempt's log, upload its artifacts, name it
    /// in a heartbeat, or (with <paramref name="archive"/>, a sha256) download that input archive:
    /// only the agent the attempt was offered to may, and it may download only the attempt's own
    /// inputs. A refusal is written to the audit log. Reads state only, so it interleaves.
    /// </summary>
    [AlwaysInterleave]
    Task<AttemptAccess> Authorize(string attemptId, string agentId, AttemptUse use, string? archive);

    /// <summary>Stops the execution (see <see cref="ExecutionMachine.Stop"/>).</summary>
    Task<CommandOutcome> Stop(bool abandon, string reason);

    /// <summary>Runs a failed or stopped stage again (see <see cref="ExecutionMachine.Retry"/>).</summary>
    Task<CommandOutcome> Retry(string stage, bool all);

    /// <summary>A person approves or rejects a waiting approval action (see <see cref="ExecutionMachine.Decide"/>).</summary>
    Task<CommandOutcome> Decide(string stage, string action, bool approve, string by, string? comment);

    /// <summary>An execution that a pipeline action of this one started and waits for has finished.</summary>
    [OneWay]
    Task ChildFinished(string attemptId, string childExecutionId, bool succeeded, string? message);

    /// <summary>The pipeline let the execution into the stage it waited for.</summary>
    [OneWay]
    Task EntryGranted(string stage);

    /// <summary>A newer execution overtook this one at a stage boundary.</summary>
    [OneWay]
    Task SupersededBy(string newer);
}

/// <summary>What an execution keeps besides its state: the pinned pipeline file and its number.</summary>
[GenerateSerializer, Immutable]
public sealed record ExecutionStart([property: Id(0)] string Source, [property: Id(1)] int Number);

/// <summary>An attempt's end as its agent reported it.</summary>
[GenerateSerializer, Immutable]
public sealed record AttemptResult(
    [property: Id(0)] string AttemptId,
    [property: Id(1)] bool Succeeded,
    [property: Id(2)] int? ExitCode,
    [property: Id(3)] string? Message,
    [property: Id(4)] Dictionary<string, string> Outputs,
    [property: Id(5)] ArtifactRef[] Artifacts);

/// <summary>The result of a command on an execution: its new state, or why the command was refused.</summary>
[GenerateSerializer, Immutable]
public sealed record CommandOutcome(
    [property: Id(0)] ExecutionRun? Run,
    [property: Id(1)] bool NotFound,
    [property: Id(2)] string? Error);
