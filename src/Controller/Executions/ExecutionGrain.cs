using Farm.Controller.Deployments;
using Farm.Controller.Dispatch;
using Farm.Controller.Hosting;
using Farm.Controller.Notifications;
using Farm.Controller.Pipelines;
using Farm.Controller.Secrets;
using Farm.Controller.Security;
using Farm.Controller.Storage;
using Farm.Controller.Telemetry;
using Farm.Core.Executions;
using Farm.Core.Pipelines;
using Microsoft.Extensions.Options;

namespace Farm.Controller.Executions;

public sealed partial class ExecutionGrain(
    [PersistentState("execution", RelationalGrainStorage.Name)] IPersistentState<ExecutionState> state,
    [PersistentState("source", RelationalGrainStorage.Name)] IPersistentState<ExecutionSource> source,
    ExecutionHistory history,
    IOptions<ControllerOptions> options,
    ExecutionStarter starter,
    Notifier notifier,
    SecretStore secrets,
    TimeProvider time,
    FarmMetrics metrics,
    AuditLog audit,
    ILogger<ExecutionGrain> logger) : Grain, IExecutionGrain
{
    // When each active attempt was last known to be held by an agent or waiting in the dispatcher's
    // queue. Kept in memory on purpose: a new activation (after a restart or a failover) gives every
    // attempt a full lease from its own start, which is the grace agents need to reconnect.
    private readonly Dictionary<string, DateTimeOffset> _vouched = [];
    private TaskCompletionSource _changed = NewSignal();
    private PipelineDefinition? _pipeline;
    private IGrainTimer? _leaseTimer;

    // What the pipeline grain knows of this execution in this activation: the stage it holds, and
    // the stage it asked to enter. Unknown after activation, so the first Advance tells it again.
    private bool _holdSynced;
    private string? _heldStage;
    private int? _requestedStage;

    // The finished state last notified; Advance may look at a finished execution more than once.
    private long _notifiedRevision;

    private ExecutionRun? Run => state.State.Run;

    // Made once per activation: Orleans' GetGrain reflects on every call.
    private IDispatcherGrain Dispatcher => field ??= GrainFactory.GetGrain<IDispatcherGrain>(0);

    private IPipelineGrain PipelineGrain => field ??= GrainFactory.GetGrain<IPipelineGrain>(Run!.Pipeline);

    private PipelineDefinition Definition => _pipeline ??= StoredSource.Definition(state.State.Source ?? source.State.Text);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (Run is { IsFinished: false } run)
        {
            // Active attempts here mean a restart or a move: their agents have yet to reconnect.
            var heardFrom = ReconnectAllowance(time.GetUtcNow());
            foreach (var action in run.Stages.SelectMany(s => s.Actions).Where(a => a.IsActive))
            {
                _vouched[action.AttemptId!] = heardFrom;
            }

            EnsureLeaseTimer();
        }

        return Task.CompletedTask;
    }

    public async Task Begin(ExecutionStart start, ExecutionRun run)
    {
        if (Run is not null)
        {
            return;
        }

        source.State.Text = start.Source;
        await source.WriteStateAsync();
        state.State.Number = start.Number;
        state.State.TraceParent = FarmTracing.StartExecution(run.Id, run.Pipeline);
        LogStarted(run.Id, run.PipelineVersion, run.Trigger);
        await Save(run);
    }

    public Task Kick()
    {
        // Also the pipeline grain's question "what do you hold?": tell it again even if told before.
        _holdSynced = false;
        return Advance();
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
        await ResendQueuedAsync();
    }

    /// <summary>
    /// Sends again the attempts that wait for an agent but that the dispatcher does not hold: after a
    /// restart, or when the dispatcher's silo died, they were in its memory only. Without this they
    /// would wait a whole lease before being queued again. The same attempt offered twice is
    /// harmless: the first agent to claim it runs it; a later claim is refused and that agent cancels.
    /// </summary>
    private async Task ResendQueuedAsync()
    {
        if (Run is not { IsFinished: false } run)
        {
            return;
        }

        var queued = run.Stages.SelectMany((s, si) => s.Actions.Select((a, ai) => (At: new ActionRef(si, ai), Action: a)))
            .Where(x => x.Action is { IsActive: true, Status: RunStatus.Queued } && !RunsInController(x.Action))
            .ToList();
        if (queued.Count == 0)
        {
            return;
        }

        var alive = (await Dispatcher.Vouch(queued.Select(x => x.Action.AttemptId!).ToArray())).Alive.ToHashSet();
        var jobs = new List<Job>();
        IReadOnlyDictionary<string, string>? pipelineSecrets = null;
        foreach (var (at, action) in queued.Where(x => !alive.Contains(x.Action.AttemptId!)))
        {
            var stage = Definition.Stages[at.Stage];
            pipelineSecrets ??= await secrets.ValuesAsync(run.Pipeline);
            if (ActionResolver.TryResolve(stage.Actions[at.Action], run, pipelineSecrets, out var definition, out var dispatched, out var masked, out _))
            {
                if (definition.Type == ActionType.Container)
                {
                    definition = definition with { Resources = options.Value.LimitsFor(definition.Resources) };
                }

                jobs.Add(new Job(action.AttemptId!, run.Id, run.Pipeline, stage.Name, definition.Name, definition.RunsOn.ToArray(),
                    definition, dispatched!.InputArtifacts.ToArray(), masked.ToArray(),
                    PinnedAgent: action.NextTarget, TraceParent: FarmTracing.Dispatch(state.State.TraceParent, action.AttemptId!)));
            }
        }

        if (jobs.Count > 0)
        {
            LogResent(run.Id, jobs.Count);
            await Enqueue(jobs);
        }
    }

    public async Task<bool> Claim(string attemptId, string agentId)
    {
        if (Run is not { } run || ExecutionMachine.Find(run, attemptId) is not { } at)
        {
            return false;
        }

        var action = run.Stages[at.Stage].Actions[at.Action];
        if (!action.IsActive || await Check(action, attemptId, agentId, AttemptUse.Claim) != AttemptAccess.Granted)
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

    public async Task<AttemptAccess> Finish(string agentId, AttemptResult result)
    {
        if (Run is not { } run || ExecutionMachine.Find(run, result.AttemptId) is not { } at)
        {
            LogStaleResult(this.GetPrimaryKeyString(), result.AttemptId);
            return AttemptAccess.Unknown;
        }

        var access = await Check(run.Stages[at.Stage].Actions[at.Action], result.AttemptId, agentId, AttemptUse.Finish);
        if (access != AttemptAccess.Granted)
        {
            if (access == AttemptAccess.Unknown)
            {
                LogStaleResult(run.Id, result.AttemptId);
            }

            return access;
        }

        var now = time.GetUtcNow();
        // A result may come from the agent offered the attempt before its claim did: it started then.
        var started = ExecutionMachine.Started(run, result.AttemptId, agentId, now);
        var next = ExecutionMachine.Finished(started, result.AttemptId, result.Succeeded, result.ExitCode, result.Message,
            now, result.Outputs, result.Artifacts);
        if (ReferenceEquals(next, started))
        {
            LogStaleResult(run.Id, result.AttemptId);
            return AttemptAccess.Granted;
        }

        if (result.Succeeded)
        {
            await RecordDeployment(started, result, now);
        }

        _vouched.Remove(result.AttemptId);
        await Save(next);
        if (ExecutionMachine.Find(next, result.AttemptId) is { } done
            && next.Stages[done.Stage].Actions[done.Action] is { StartedAt: { } startedAt, FinishedAt: { } finished } action)
        {
            metrics.ActionFinished(finished - startedAt, action.Status.ToString().ToLowerInvariant());
        }

        await Advance();
        return AttemptAccess.Granted;
    }

    public async Task<AttemptAccess> Authorize(string attemptId, string agentId, AttemptUse use, string? archive)
    {
        if (Run is not { } run || ExecutionMachine.Find(run, attemptId) is not { } at)
        {
            return AttemptAccess.Unknown;
        }

        var action = run.Stages[at.Stage].Actions[at.Action];
        var access = await Check(action, attemptId, agentId, use);
        if (access == AttemptAccess.Granted && archive is not null
            && action.Resolved?.InputArtifacts.Any(input => input.Sha256 == archive) != true)
        {
            await Refuse(agentId, attemptId, use, $"archive {archive} is not an input of attempt {attemptId}");
            return AttemptAccess.NotAnInput;
        }

        return access;
    }

    /// <summary>
    /// Whether the current attempt <paramref name="attemptId"/> of <paramref name="action"/> is
    /// <paramref name="agentId"/>'s: the agent that claimed it, or, before any claim, the agent the
    /// dispatcher offered it to. An action the controller runs belongs to no agent, ever. Refusals are
    /// audited; an attempt that ended before any agent took it is unknown rather than refused.
    /// </summary>
    private async Task<AttemptAccess> Check(ActionRun action, string attemptId, string agentId, AttemptUse use)
    {
        if (RunsInController(action))
        {
            await Refuse(agentId, attemptId, use,
                $"attempt {attemptId} runs in the controller ({action.Type} action); an approval is decided by a person with the approver role");
            return AttemptAccess.NotOffered;
        }

        var owned = action switch
        {
            { Agent: { } holder } => holder == agentId,
            // A dispatcher that lost its registry (a failover between the offer and the claim) cannot
            // say whom it offered the attempt to: the first agent to claim it has it, as an agent that
            // accepted just before the failover resumes it after, and keeps its log.
            { Status: RunStatus.Queued } => await Dispatcher.Holds(agentId, attemptId) ?? true,
            _ => (bool?)null,
        };
        if (owned is null)
        {
            return AttemptAccess.Unknown;
        }

        if (owned == false)
        {
            await Refuse(agentId, attemptId, use, $"attempt {attemptId} was not offered to agent '{agentId}'");
            return AttemptAccess.NotOffered;
        }

        return AttemptAccess.Granted;
    }

    private async Task Refuse(string agentId, string attemptId, AttemptUse use, string why)
    {
        LogRefused(agentId, use, attemptId, why);
        try
        {
            await audit.WriteAsync(new AuditRecord(time.GetUtcNow(), agentId, "Agent" + use, attemptId, "refused: " + why));
        }
        catch (Exception e)
        {
            // The refusal stands either way; a store that cannot take the entry is already failing loudly elsewhere.
            LogAuditFailed(e, agentId, attemptId);
        }
    }

    public async Task<CommandOutcome> Stop(bool abandon, string reason)
    {
        if (Run is not { } run)
        {
            return new CommandOutcome(null, NotFound: true, $"No execution '{this.GetPrimaryKeyString()}' exists.");
        }

        IReadOnlyList<string> abandoned;
        try
        {
            run = ExecutionMachine.Stop(run, abandon, reason, time.GetUtcNow(), out abandoned);
        }
        catch (ExecutionRuleException e)
        {
            return new CommandOutcome(null, NotFound: false, e.Message);
        }

        LogStopped(run.Id, abandon, reason);
        await Save(run);
        if (abandoned.Count > 0)
        {
            foreach (var attemptId in abandoned)
            {
                _vouched.Remove(attemptId);
            }

            await Dispatcher.Cancel(abandoned.ToArray(), reason, options.Value.StopGrace);
        }

        await Advance();
        return new CommandOutcome(Run, NotFound: false, null);
    }

    public async Task<CommandOutcome> Retry(string stage, bool all)
    {
        if (Run is not { } run)
        {
            return new CommandOutcome(null, NotFound: true, $"No execution '{this.GetPrimaryKeyString()}' exists.");
        }

        try
        {
            run = ExecutionMachine.Retry(run, stage, all, time.GetUtcNow());
        }
        catch (ExecutionRuleException e)
        {
            return new CommandOutcome(null, e.NotFound, e.Message);
        }

        LogRetried(run.Id, stage, all);
        state.State.RollbackRequested = false;
        _requestedStage = null;
        await Save(run);
        await Advance();
        return new CommandOutcome(Run, NotFound: false, null);
    }

    public async Task<CommandOutcome> Decide(string stage, string action, bool approve, string by, string? comment)
    {
        if (Run is not { } run)
        {
            return new CommandOutcome(null, NotFound: true, $"No execution '{this.GetPrimaryKeyString()}' exists.");
        }

        try
        {
            run = ExecutionMachine.Decide(run, stage, action, approve, by, comment, time.GetUtcNow());
        }
        catch (ExecutionRuleException e)
        {
            return new CommandOutcome(null, e.NotFound, e.Message);
        }

        LogDecided(run.Id, stage, action, approve, by);
        await Save(run);
        await Advance();
        return new CommandOutcome(Run, NotFound: false, null);
    }

    public async Task ChildFinished(string attemptId, string childExecutionId, bool succeeded, string? message)
    {
        if (Run is not { } run)
        {
            return;
        }

        var outputs = new Dictionary<string, string> { ["executionId"] = childExecutionId };
        var why = succeeded ? null : $"pipeline execution {childExecutionId} did not succeed: {message}";
        var next = ExecutionMachine.Finished(run, attemptId, succeeded, null, why, time.GetUtcNow(), outputs);
        if (!ReferenceEquals(next, run))
        {
            await Save(next);
            await Advance();
        }
    }

    public async Task EntryGranted(string stage)
    {
        if (Run is { WaitingForStage: { } waiting } run && run.Stages[waiting].Name == stage)
        {
            await Save(ExecutionMachine.Enter(run, waiting, time.GetUtcNow()));
        }

        // Either way the pipeline learns what this execution holds now (a stopped one gives the stage back).
        _holdSynced = false;
        await Advance();
    }

    public async Task SupersededBy(string newer)
    {
        if (Run is { IsFinished: false } run)
        {
            await Save(ExecutionMachine.Supersede(run, newer, time.GetUtcNow()));
            await Advance();
        }
    }

    /// <summary>
    /// Moves the execution on as far as it can go now: tells the pipeline which stage it holds,
    /// enters the next stage when the pipeline lets it, and queues every ready action. Each state is
    /// stored before anything outside hears of it.
    /// </summary>
    private async Task Advance()
    {
        // A stage just entered is not stored on its own: Dispatch stores it with the attempts it
        // queues, before any agent hears of them. One write between a stage's last result and the next
        // stage's first offer instead of two. Lost in a crash, the entry is asked for again (the
        // pipeline grain then sees this execution holding no stage, and grants it anew).
        ExecutionRun? entered = null;
        while ((entered ?? Run) is { } run)
        {
            entered = null;
            await SyncHeldStage(run);
            if (run.IsFinished)
            {
                await AfterFinished(run);
                return;
            }

            if (ExecutionMachine.NextStageToEnter(run) is { } next)
            {
                if (_requestedStage == next && run.WaitingForStage == next)
                {
                    return;
                }

                _requestedStage = next;
                var decision = await PipelineGrain.RequestEntry(run.Id, run.Stages[next].Name);
                var now = time.GetUtcNow();
                if (decision.Verdict == EntryVerdict.Granted)
                {
                    entered = ExecutionMachine.Enter(run, next, now);
                    continue;
                }

                await Save(decision.Verdict == EntryVerdict.Wait
                    ? ExecutionMachine.Wait(run, next, decision.Reason)
                    : ExecutionMachine.Supersede(run, decision.Reason, now));
                if (decision.Verdict == EntryVerdict.Wait)
                {
                    return;
                }

                continue;
            }

            if (!await Dispatch(run))
            {
                return;
            }
        }
    }

    /// <summary>Queues every ready action; true when one failed before dispatch and the state must be looked at again.</summary>
    private async Task<bool> Dispatch(ExecutionRun run)
    {
        var jobs = new List<Job>();
        var failedBeforeDispatch = false;
        var inController = new List<(string AttemptId, ActionDefinition Action)>();
        var ready = ExecutionMachine.ReadyActions(run);
        // Read only when an action about to run refers to one, and never stored: secrets live in the jobs alone.
        var pipelineSecrets = ready.Any(at => ActionResolver.UsesSecrets(Definition.Stages[at.Stage].Actions[at.Action]))
            ? await secrets.ValuesAsync(run.Pipeline)
            : new Dictionary<string, string>();
        foreach (var at in ready)
        {
            var stage = Definition.Stages[at.Stage];
            if (!ActionResolver.TryResolve(stage.Actions[at.Action], run, pipelineSecrets, out var resolved, out var dispatched, out var masked, out var error))
            {
                run = ExecutionMachine.FailBeforeDispatch(run, at, error!, time.GetUtcNow());
                failedBeforeDispatch = true;
                continue;
            }

            if (resolved.Type.RunsInController())
            {
                var now = time.GetUtcNow();
                var approval = resolved.Approval is { } settings
                    ? new ApprovalState(settings.Message ?? $"Approve {stage.Name}/{resolved.Name} of {run.Id}?", settings.ReviewUrl, now, now + resolved.Timeout)
                    : null;
                run = ExecutionMachine.StartInController(run, at, dispatched!, approval, now, out var localAttempt);
                inController.Add((localAttempt, resolved));
                if (approval is not null)
                {
                    notifier.Send(new Notification("approval.waiting", run.Pipeline, run.Id, "waiting", stage.Name, resolved.Name, approval.Message, now));
                }
                continue;
            }

            if (resolved.Type == ActionType.ContainerDeploy && run.Stages[at.Stage].Actions[at.Action].RollingTargets.Count == 0)
            {
                run = await PlanRollout(run, at, resolved.RunsOn);
            }

            run = ExecutionMachine.Queue(run, at, dispatched!, out var attemptId);
            if (resolved.Type is ActionType.Container or ActionType.ContainerDeploy)
            {
                resolved = resolved with { Resources = options.Value.LimitsFor(resolved.Resources) };
            }

            jobs.Add(new Job(attemptId, run.Id, run.Pipeline, stage.Name, resolved.Name, resolved.RunsOn.ToArray(), resolved,
                dispatched!.InputArtifacts.ToArray(), masked.ToArray(),
                PinnedAgent: run.Stages[at.Stage].Actions[at.Action].NextTarget, TraceParent: FarmTracing.Dispatch(state.State.TraceParent, attemptId)));
        }

        if (!ReferenceEquals(run, Run))
        {
            // Stored before any agent can hear of the attempts, so a result never arrives for an
            // attempt that a restart would forget.
            await Save(run);
        }

        if (jobs.Count > 0)
        {
            await Enqueue(jobs);
        }

        foreach (var (attemptId, action) in inController)
        {
            if (action.Invoke is { } invoke)
            {
                failedBeforeDispatch |= await InvokePipeline(attemptId, invoke);
            }
        }

        EnsureLeaseTimer();
        return failedBeforeDispatch;
    }

    /// <summary>
    /// Starts the pipeline a pipeline action names. Without wait it succeeds once the other execution
    /// started; with wait the other execution reports back when it finishes. True when the state
    /// changed here and must be looked at again.
    /// </summary>
    /// <summary>Writes a succeeded container-deploy attempt to the deploy ledger, before the execution moves on.</summary>
    private async Task RecordDeployment(ExecutionRun run, AttemptResult result, DateTimeOffset now)
    {
        if (ExecutionMachine.Find(run, result.AttemptId) is not { } at
            || Definition.Stages[at.Stage].Actions[at.Action] is not { Deploy: { } deploy } definition)
        {
            return;
        }

        var action = run.Stages[at.Stage].Actions[at.Action];
        var outputs = result.Outputs ?? new Dictionary<string, string>();
        await GrainFactory.GetGrain<IDeploymentsGrain>(0).Record(new DeploymentRecord(
            deploy.Environment, deploy.Service, action.Agent ?? "", outputs.GetValueOrDefault("image", action.Resolved?.Image ?? ""),
            outputs.GetValueOrDefault("digest", ""), run.Pipeline, run.Id, run.Stages[at.Stage].Name, definition.Name, now,
            outputs.GetValueOrDefault("container", "")));
    }

    /// <summary>
    /// A deploy goes to every connected agent that matches its labels, one at a time in name order
    /// (rolling); with one such agent or none yet, it is dispatched as any action.
    /// </summary>
    private async Task<ExecutionRun> PlanRollout(ExecutionRun run, ActionRef at, IReadOnlyList<string> runsOn)
    {
        var targets = (await Dispatcher.Agents())
            .Where(a => !a.Draining && runsOn.All(a.Labels.Contains))
            .Select(a => a.AgentId)
            .Order(StringComparer.Ordinal)
            .ToList();
        return targets.Count > 1 ? ExecutionMachine.PlanRollout(run, at, targets) : run;
    }

    private async Task<bool> InvokePipeline(string attemptId, PipelineInvocation invoke)
    {
        var run = Run!;
        var outcome = await starter.StartAsync(invoke.Pipeline, new Dictionary<string, string>(invoke.Variables),
            new Dictionary<string, string>(), ExecutionRun.PipelineTrigger, $"pipeline action of {run.Id}",
            invoke.Wait ? new ParentLink(run.Id, attemptId) : null, CancellationToken.None);
        var now = time.GetUtcNow();
        if (outcome.ExecutionId is not { } child)
        {
            await Save(ExecutionMachine.Finished(Run!, attemptId, false, null,
                $"could not start pipeline '{invoke.Pipeline}': {string.Join(" ", outcome.Errors)}", now));
            return true;
        }

        if (invoke.Wait)
        {
            return false;
        }

        await Save(ExecutionMachine.Finished(Run!, attemptId, true, null, null, now, new Dictionary<string, string> { ["executionId"] = child }));
        return true;
    }

    private async Task SyncHeldStage(ExecutionRun run)
    {
        var held = run.CurrentStage is { } current ? run.Stages[current].Name : null;
        if (_holdSynced && _heldStage == held)
        {
            return;
        }

        await PipelineGrain.Hold(run.Id, held);
        (_holdSynced, _heldStage) = (true, held);
        if (held is null && run.WaitingForStage is null)
        {
            _requestedStage = null;
        }
    }

    /// <summary>A stage whose onFailure is rollback starts one, once, when the execution has failed in it.</summary>
    private async Task AfterFinished(ExecutionRun run)
    {
        _leaseTimer?.Dispose();
        _leaseTimer = null;
        if (_notifiedRevision != run.Revision && run.Status is RunStatus.Succeeded or RunStatus.Failed)
        {
            _notifiedRevision = run.Revision;
            notifier.Send(new Notification($"execution.{run.Status.ToString().ToLowerInvariant()}", run.Pipeline, run.Id,
                run.Status.ToString().ToLowerInvariant(), null, null, run.Message, run.FinishedAt ?? time.GetUtcNow()));
        }

        if (run.Parent is { } parent && !state.State.ParentNotified)
        {
            state.State.ParentNotified = true;
            await state.WriteStateAsync();
            await GrainFactory.GetGrain<IExecutionGrain>(parent.ExecutionId)
                .ChildFinished(parent.AttemptId, run.Id, run.Status == RunStatus.Succeeded, run.Message);
        }

        if (run.Status != RunStatus.Failed || state.State.RollbackRequested
            || run.Stages.FirstOrDefault(s => s.Status == RunStatus.Failed) is not { OnFailure.Result: FailureResult.Rollback } failed)
        {
            return;
        }

        state.State.RollbackRequested = true;
        var outcome = await PipelineGrain.RollbackToLastSuccess(failed.Name, run.Id);
        var note = outcome.ExecutionId is { } rollback
            ? $"Rollback {rollback} of stage '{failed.Name}' started."
            : $"No rollback: {string.Join(" ", outcome.Errors)}";
        await Save(ExecutionMachine.Annotate(Run!, note));
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

    private async Task Save(ExecutionRun run)
    {
        if (ReferenceEquals(run, state.State.Run))
        {
            return;
        }

        var previous = state.State.Run;
        state.State.Run = run;
        await state.WriteStateAsync();
        if (ExecutionHistory.ChangesRow(previous, run))
        {
            await history.UpsertAsync(run, state.State.Number);
        }

        var changed = _changed;
        _changed = NewSignal();
        changed.TrySetResult();
        if (run.IsFinished && previous?.IsFinished != true)
        {
            LogFinished(run.Id, run.Status);
            metrics.ExecutionFinished((run.FinishedAt ?? time.GetUtcNow()) - run.StartedAt, run.Status.ToString().ToLowerInvariant());
        }
    }

    /// <summary>
    /// When an attempt counts as last heard from, once its agent must reconnect (after a restart or a
    /// dispatcher move): later than <paramref name="from"/> by the time agents take to come back.
    /// </summary>
    private DateTimeOffset ReconnectAllowance(DateTimeOffset from) => from + options.Value.ReconnectGrace;

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

        await ExpireApprovals(run);
        run = Run!;
        var active = run.Stages.SelectMany((s, si) => s.Actions.Select((a, ai) => (At: new ActionRef(si, ai), Action: a)))
            .Where(x => x.Action.IsActive && !RunsInController(x.Action))
            .ToList();
        if (active.Count == 0)
        {
            await Advance();
            return;
        }

        var vouch = await Dispatcher.Vouch(active.Select(x => x.Action.AttemptId!).ToArray());
        var alive = vouch.Alive.ToHashSet();
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

            // A dispatcher that took over lately has had no time to hear from the agents yet.
            var since = _vouched.GetValueOrDefault(attemptId, now);
            if (since < vouch.Since)
            {
                _vouched[attemptId] = since = ReconnectAllowance(vouch.Since);
            }

            if (now - since <= options.Value.Lease)
            {
                continue;
            }

            _vouched.Remove(attemptId);
            run = Run!;
            if (action.Status == RunStatus.Queued)
            {
                LogRequeued(run.Id, attemptId);
                var stage = Definition.Stages[at.Stage];
                var pipelineSecrets = await secrets.ValuesAsync(run.Pipeline);
                if (ActionResolver.TryResolve(stage.Actions[at.Action], run, pipelineSecrets, out var definition, out var dispatched, out var masked, out var error))
                {
                    var next = ExecutionMachine.Queue(run, at, dispatched!, out var newAttempt);
                    if (definition.Type is ActionType.Container or ActionType.ContainerDeploy)
                    {
                        definition = definition with { Resources = options.Value.LimitsFor(definition.Resources) };
                    }

                    requeue.Add(new Job(newAttempt, run.Id, run.Pipeline, stage.Name, definition.Name, definition.RunsOn.ToArray(),
                        definition, dispatched!.InputArtifacts.ToArray(), masked.ToArray(),
                        PinnedAgent: action.NextTarget, TraceParent: FarmTracing.Dispatch(state.State.TraceParent, newAttempt)));
                    await Save(next);
                }
                else
                {
                    await Save(ExecutionMachine.Finished(run, attemptId, false, null, error, now));
                }
            }
            else
            {
                LogLost(run.Id, attemptId, action.Agent);
                var reason = $"was lost: agent '{action.Agent}' stopped reporting it for {options.Value.Lease.TotalSeconds:0.#} s";
                await Save(ExecutionMachine.Lost(run, attemptId, reason, now));
            }
        }

        if (requeue.Count > 0)
        {
            await Enqueue(requeue);
        }

        await Advance();
    }

    /// <summary>Approvals past their deadline fail with that reason; checked on the lease timer's beat.</summary>
    private async Task ExpireApprovals(ExecutionRun run)
    {
        var now = time.GetUtcNow();
        foreach (var action in run.Stages.SelectMany(s => s.Actions)
            .Where(a => a is { Status: RunStatus.InProgress, Approval: { Approved: null } approval } && approval.Deadline <= now))
        {
            var waited = action.Approval!.Deadline - action.Approval.WaitingSince;
            await Save(ExecutionMachine.Finished(Run!, action.AttemptId!, false, null,
                $"approval timed out after {Duration.Format(waited)} without a decision", now));
        }
    }

    private static bool RunsInController(ActionRun action) => action.Type is "approval" or "pipeline";

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "Execution {ExecutionId} started on pipeline version {Version} ({Trigger})")]
    private partial void LogStarted(string executionId, int version, string trigger);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Execution {ExecutionId} finished: {Status}")]
    private partial void LogFinished(string executionId, RunStatus status);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Debug, Message = "Execution {ExecutionId} ignored a result for stale attempt {AttemptId}")]
    private partial void LogStaleResult(string executionId, string attemptId);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "Execution {ExecutionId}: attempt {AttemptId} never reached an agent within its lease; queued again")]
    private partial void LogRequeued(string executionId, string attemptId);

    [LoggerMessage(EventId = 1108, Level = LogLevel.Information, Message = "Execution {ExecutionId}: {Count} queued attempts sent again to the dispatcher")]
    private partial void LogResent(string executionId, int count);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "Execution {ExecutionId}: attempt {AttemptId} on agent {Agent} lost its lease")]
    private partial void LogLost(string executionId, string attemptId, string? agent);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Information, Message = "Execution {ExecutionId} asked to stop (abandon: {Abandon}): {Reason}")]
    private partial void LogStopped(string executionId, bool abandon, string reason);

    [LoggerMessage(EventId = 1107, Level = LogLevel.Information, Message = "Execution {ExecutionId}: approval {Stage}/{Action} approved={Approved} by {By}")]
    private partial void LogDecided(string executionId, string stage, string action, bool approved, string by);

    [LoggerMessage(EventId = 1110, Level = LogLevel.Warning, Message = "Agent {Agent} refused {Use} of attempt {AttemptId}: {Why}")]
    private partial void LogRefused(string agent, AttemptUse use, string attemptId, string why);

    [LoggerMessage(EventId = 1111, Level = LogLevel.Error, Message = "Could not write the audit log entry for agent {Agent}'s refused use of attempt {AttemptId}")]
    private partial void LogAuditFailed(Exception exception, string agent, string attemptId);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Information, Message = "Execution {ExecutionId}: stage {Stage} retried (all actions: {All})")]
    private partial void LogRetried(string executionId, string stage, bool all);
}
