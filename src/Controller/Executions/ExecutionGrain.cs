using Farm.Controller.Dispatch;
using Farm.Controller.Hosting;
using Farm.Controller.Storage;
using Farm.Core.Executions;
using Farm.Core.Pipelines;
using Microsoft.Extensions.Options;

namespace Farm.Controller.Executions;

public sealed partial class ExecutionGrain(
    [PersistentState("execution", SqliteGrainStorage.Name)] IPersistentState<ExecutionState> state,
    ExecutionHistory history,
    IOptions<ControllerOptions> options,
    TimeProvider time,
    ILogger<ExecutionGrain> logger) : Grain, IExecutionGrain
{
    // When each active attempt was last known to be held by an agent or waiting in the dispatcher's
    // queue. Kept in memory on purpose: a new activation (after a restart or a failover) gives every
    // attempt a full lease from its own start, which is the grace agents need to reconnect.
    private readonly Dictionary<string, DateTimeOffset> _vouched = [];
    private TaskCompletionSource _changed = NewSignal();
    private PipelineDefinition? _pipeline;
    private IGrainTimer? _leaseTimer;

    private ExecutionRun? Run => state.State.Run;

    private IDispatcherGrain Dispatcher => GrainFactory.GetGrain<IDispatcherGrain>(0);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (Run is { IsFinished: false } run)
        {
            var now = time.GetUtcNow();
            foreach (var action in run.Stages.SelectMany(s => s.Actions).Where(a => a.IsActive))
            {
                _vouched[action.AttemptId!] = now;
            }

            EnsureLeaseTimer();
        }

        return Task.CompletedTask;
    }

    public async Task Begin(ExecutionStart start)
    {
        if (Run is not null)
        {
            return;
        }

        _pipeline = Parse(start.Source);
        state.State.Source = start.Source;
        state.State.Number = start.Number;
        var run = ExecutionMachine.Create(this.GetPrimaryKeyString(), _pipeline, start.Version, start.Variables, time.GetUtcNow());
        LogStarted(run.Id, start.Version);
        await Save(run);
        await Advance();
    }

    public Task<ExecutionRun?> Get() => Task.FromResult(Run);

    public async Task<ExecutionRun?> WaitForChange(long afterRevision, TimeSpan timeout)
    {
        if (Run is null || Run.Revision > afterRevision || Run.IsFinished)
        {
            return Run;
        }

        try
        {
            await _changed.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            // Nothing changed: the watcher gets the same state and asks again.
        }

        return Run;
    }

    public async Task Resume()
    {
        if (Run is null)
        {
            return;
        }

        // Heals the history row if the controller stopped between writing state and projection.
        await history.UpsertAsync(Run, state.State.Number);
        await Advance();
    }

    public async Task<bool> Claim(string attemptId, string agentId)
    {
        if (Run is not { } run || ExecutionMachine.Find(run, attemptId) is not { } at)
        {
            return false;
        }

        var action = run.Stages[at.Stage].Actions[at.Action];
        if (!action.IsActive || (action.Agent is not null && action.Agent != agentId))
        {
            return false;
        }

        _vouched[attemptId] = time.GetUtcNow();
        if (action.Status == RunStatus.Queued)
        {
            await Save(ExecutionMachine.Started(run, attemptId, agentId, time.GetUtcNow()));
        }

        return true;
    }

    public async Task Finish(string attemptId, bool succeeded, int? exitCode, string? message)
    {
        if (Run is not { } run)
        {
            return;
        }

        var next = ExecutionMachine.Finished(run, attemptId, succeeded, exitCode, message, time.GetUtcNow());
        if (ReferenceEquals(next, run))
        {
            LogStaleResult(run.Id, attemptId);
            return;
        }

        _vouched.Remove(attemptId);
        await Save(next);
        if (next.IsFinished)
        {
            LogFinished(next.Id, next.Status);
        }

        await Advance();
    }

    /// <summary>Queues every ready action, persists that, then hands the attempts to the dispatcher.</summary>
    private async Task Advance()
    {
        if (Run is not { } run)
        {
            return;
        }

        var jobs = new List<Job>();
        foreach (var at in ExecutionMachine.ReadyActions(run))
        {
            run = ExecutionMachine.Queue(run, at, out var attemptId);
            jobs.Add(JobFor(run, at, attemptId));
        }

        if (jobs.Count == 0)
        {
            return;
        }

        // Stored before any agent can hear of the attempts, so a result never arrives for an attempt
        // that a restart would forget.
        await Save(run);
        await Enqueue(jobs);
    }

    private async Task Enqueue(List<Job> jobs)
    {
        var now = time.GetUtcNow();
        foreach (var job in jobs)
        {
            _vouched[job.AttemptId] = now;
        }

        await Dispatcher.Enqueue(jobs.ToArray());
        EnsureLeaseTimer();
    }

    private Job JobFor(ExecutionRun run, ActionRef at, string attemptId)
    {
        _pipeline ??= Parse(state.State.Source);
        var stage = _pipeline.Stages[at.Stage];
        var action = ActionResolver.Resolve(stage.Actions[at.Action], run);
        return new Job(attemptId, run.Id, run.Pipeline, stage.Name, action.Name, action.RunsOn.ToArray(), action);
    }

    private async Task Save(ExecutionRun run)
    {
        state.State.Run = run;
        await state.WriteStateAsync();
        await history.UpsertAsync(run, state.State.Number);
        var changed = _changed;
        _changed = NewSignal();
        changed.TrySetResult();
    }

    private void EnsureLeaseTimer()
    {
        _leaseTimer ??= this.RegisterGrainTimer(CheckLeases, new GrainTimerCreationOptions
        {
            DueTime = options.Value.HeartbeatInterval,
            Period = options.Value.HeartbeatInterval,
            // Keeps the activation, and with it the leases, alive while attempts run.
            KeepAlive = true,
        });
    }

    /// <summary>
    /// Renews the lease of every attempt the dispatcher vouches for. An attempt nobody vouched for
    /// during a whole lease is lost: one that never reached an agent is queued again as a new attempt;
    /// one that was running fails, and its late results are ignored as stale.
    /// </summary>
    private async Task CheckLeases(CancellationToken cancellationToken)
    {
        if (Run is not { IsFinished: false } run)
        {
            _leaseTimer?.Dispose();
            _leaseTimer = null;
            return;
        }

        var active = run.Stages.SelectMany((s, si) => s.Actions.Select((a, ai) => (At: new ActionRef(si, ai), Action: a)))
            .Where(x => x.Action.IsActive)
            .ToList();
        if (active.Count == 0)
        {
            return;
        }

        var alive = (await Dispatcher.Alive(active.Select(x => x.Action.AttemptId!).ToArray())).ToHashSet();
        var now = time.GetUtcNow();
        var requeue = new List<Job>();
        foreach (var (at, action) in active)
        {
            var attemptId = action.AttemptId!;
            if (alive.Contains(attemptId))
            {
                _vouched[attemptId] = now;
                continue;
            }

            if (now - _vouched.GetValueOrDefault(attemptId, now) <= options.Value.Lease)
            {
                continue;
            }

            _vouched.Remove(attemptId);
            run = state.State.Run!;
            if (action.Status == RunStatus.Queued)
            {
                LogRequeued(run.Id, attemptId);
                var next = ExecutionMachine.Queue(run, at, out var newAttempt);
                requeue.Add(JobFor(next, at, newAttempt));
                await Save(next);
            }
            else
            {
                LogLost(run.Id, attemptId, action.Agent);
                var reason = $"was lost: agent '{action.Agent}' stopped reporting it for {options.Value.Lease.TotalSeconds:0.#} s";
                await Save(ExecutionMachine.Finished(run, attemptId, false, null, reason, now));
            }
        }

        if (requeue.Count > 0)
        {
            await Enqueue(requeue);
        }

        await Advance();
    }

    private static PipelineDefinition Parse(string source) =>
        PipelineParser.Parse(source).Pipeline
        ?? throw new InvalidOperationException("A stored pipeline version no longer parses.");

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "Execution {ExecutionId} started on pipeline version {Version}")]
    private partial void LogStarted(string executionId, int version);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Execution {ExecutionId} finished: {Status}")]
    private partial void LogFinished(string executionId, RunStatus status);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Debug, Message = "Execution {ExecutionId} ignored a result for stale attempt {AttemptId}")]
    private partial void LogStaleResult(string executionId, string attemptId);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "Execution {ExecutionId}: attempt {AttemptId} never reached an agent within its lease; queued again")]
    private partial void LogRequeued(string executionId, string attemptId);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "Execution {ExecutionId}: attempt {AttemptId} on agent {Agent} lost its lease")]
    private partial void LogLost(string executionId, string attemptId, string? agent);
}
