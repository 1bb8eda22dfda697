using Farm.Core.Executions;
using Orleans.Concurrency;

namespace Farm.Controller.Executions;

/// <summary>
/// One execution, keyed by its id. Holds the state machine's state, persists every transition
/// before acting on it, hands ready actions to the dispatcher, and keeps the leases of its running
/// attempts. Never calls the dispatcher's callers back, so grain calls cannot deadlock.
/// </summary>
public interface IExecutionGrain : IGrainWithStringKey
{
    /// <summary>Creates the execution and dispatches its first actions. Called once, by the pipeline grain.</summary>
    Task Begin(ExecutionStart start);

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
    /// false when the execution no longer wants it: the agent must abandon it.
    /// </summary>
    Task<bool> Claim(string attemptId, string agentId);

    /// <summary>The attempt ended on its agent. Stale or repeated reports change nothing.</summary>
    Task Finish(string attemptId, bool succeeded, int? exitCode, string? message);
}

/// <summary>What an execution starts from.</summary>
[GenerateSerializer, Immutable]
public sealed record ExecutionStart(
    [property: Id(0)] string Pipeline,
    [property: Id(1)] int Version,
    [property: Id(2)] int Number,
    [property: Id(3)] string Source,
    [property: Id(4)] Dictionary<string, string> Variables);
