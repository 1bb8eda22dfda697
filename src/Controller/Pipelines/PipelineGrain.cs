using Farm.Controller.Executions;
using Farm.Controller.Storage;
using Farm.Core.Executions;
using Farm.Core.Pipelines;

namespace Farm.Controller.Pipelines;

public sealed partial class PipelineGrain(
    [PersistentState("pipeline", RelationalGrainStorage.Name)] IPersistentState<PipelineState> state,
    PipelineCatalog catalog,
    ExecutionHistory history,
    TimeProvider time,
    ILogger<PipelineGrain> logger) : Grain, IPipelineGrain
{
    private PipelineDefinition? _latest;
    private TaskCompletionSource _changed = NewSignal();

    private string Name => this.GetPrimaryKeyString();

    private PipelineDefinition? Latest => _latest ??= state.State.Versions.Count == 0
        ? null
        : StoredSource.Definition(state.State.Versions[^1].Source);

    private ExecutionMode Mode => Latest?.ExecutionMode ?? ExecutionMode.Superseded;

    public async Task<ApplyOutcome> Apply(string source, ApplyCaller? caller = null)
    {
        var parsed = PipelineParser.Parse(source);
        if (parsed.Pipeline is null)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, parsed.Errors), nameof(source));
        }

        if (parsed.Pipeline.Name != Name)
        {
            throw new ArgumentException($"The file defines pipeline '{parsed.Pipeline.Name}', not '{Name}'.", nameof(source));
        }

        var versions = state.State.Versions;
        if (versions.Count > 0 && versions[^1].Source == source)
        {
            return new ApplyOutcome(versions[^1].Version, Unchanged: true);
        }

        var changes = ProtectedChanges.Between(Latest, parsed.Pipeline).ToArray();
        if (changes.Length > 0 && caller?.MayChangeProtected != true)
        {
            LogProtectedRefused(Name, caller?.Name ?? "an unnamed caller", string.Join("; ", changes));
            return new ApplyOutcome(versions.Count, Unchanged: true, changes, Refused: true);
        }

        var applied = new PipelineVersionRecord(versions.Count + 1, source, time.GetUtcNow());
        versions.Add(applied);
        _latest = parsed.Pipeline;
        await SaveRuntime();
        await catalog.UpsertAsync(Name, applied.Version, applied.AppliedAt);
        if (changes.Length > 0)
        {
            LogProtectedChanged(Name, applied.Version, caller!.Name, string.Join("; ", changes));
        }

        return new ApplyOutcome(applied.Version, Unchanged: false, changes.Length > 0 ? changes : null);
    }

    public Task<StoredPipelineVersion?> GetVersion(int version)
    {
        var versions = state.State.Versions;
        var index = version == 0 ? versions.Count - 1 : version - 1;
        if (index < 0 || index >= versions.Count)
        {
            return Task.FromResult<StoredPipelineVersion?>(null);
        }

        var found = versions[index];
        return Task.FromResult<StoredPipelineVersion?>(
            new StoredPipelineVersion(found.Version, found.Source, found.AppliedAt, versions.Count));
    }

    public async Task<StartOutcome> Start(StartRequest request)
    {
        if (Latest is not { } pipeline)
        {
            return StartOutcome.Refused(StartRefusal.PipelineNotFound, $"No pipeline named '{Name}' has been applied.");
        }

        if (request.Version != state.State.Versions.Count)
        {
            return StartOutcome.Refused(StartRefusal.VersionChanged, $"Pipeline '{Name}' is at version {state.State.Versions.Count} now, not {request.Version}.");
        }

        var values = StartVariables.Resolve(pipeline, request.Variables, out var errors);
        if (errors.Count > 0)
        {
            return new StartOutcome(null, StartRefusal.InvalidVariables, errors.ToArray());
        }

        var latest = state.State.Versions[^1];
        var (id, number) = await NextExecutionId();
        var run = ExecutionMachine.Create(id, pipeline, latest.Version, values, time.GetUtcNow()) with
        {
            Trigger = request.Trigger,
            TriggeredBy = request.TriggeredBy,
            Sources = request.Sources,
            Parent = request.Parent,
        };
        return await Launch(run, latest.Source, number);
    }

    public async Task<StartOutcome> Rollback(string stage, string targetExecutionId)
    {
        if (state.State.Versions.Count == 0)
        {
            return StartOutcome.Refused(StartRefusal.PipelineNotFound, $"No pipeline named '{Name}' has been applied.");
        }

        var target = await GrainFactory.GetGrain<IExecutionGrain>(targetExecutionId).Get();
        if (target is null || target.Pipeline != Name)
        {
            return StartOutcome.Refused(StartRefusal.NotFound, $"Pipeline '{Name}' has no execution '{targetExecutionId}'.");
        }

        if (target.Stages.All(s => s.Name != stage))
        {
            return StartOutcome.Refused(StartRefusal.NotFound,
                $"Execution '{target.Id}' has no stage '{stage}'; its stages are {string.Join(", ", target.Stages.Select(s => s.Name))}.");
        }

        var source = state.State.Versions[target.PipelineVersion - 1].Source;
        var pipeline = StoredSource.Definition(source);
        ExecutionRun run;
        int number;
        string id;
        try
        {
            // Checked before a number is taken, so a refused rollback leaves no gap.
            ExecutionMachine.CreateRollback("check", pipeline, target, stage, time.GetUtcNow());
            (id, number) = await NextExecutionId();
            run = ExecutionMachine.CreateRollback(id, pipeline, target, stage, time.GetUtcNow());
        }
        catch (ExecutionRuleException e)
        {
            return StartOutcome.Refused(StartRefusal.FailedPrecondition, e.Message);
        }

        LogRollback(id, stage, target.Id);
        return await Launch(run, source, number);
    }

    public async Task<StartOutcome> RollbackToLastSuccess(string stage, string failedExecutionId)
    {
        foreach (var summary in await history.ListAsync(Name, 100))
        {
            if (summary.Id == failedExecutionId)
            {
                continue;
            }

            var run = await GrainFactory.GetGrain<IExecutionGrain>(summary.Id).Get();
            if (run?.Stages.FirstOrDefault(s => s.Name == stage)?.Status == RunStatus.Succeeded)
            {
                return await Rollback(stage, run.Id);
            }
        }

        return StartOutcome.Refused(StartRefusal.FailedPrecondition,
            $"Stage '{stage}' never succeeded in an earlier execution, so there is nothing to roll back to.");
    }

    public async Task<EntryDecision> RequestEntry(string executionId, string stage)
    {
        var decision = Decide(executionId, stage);
        await SaveRuntime();
        if (decision.Verdict == EntryVerdict.Wait)
        {
            // A holder that finished just before its controller died never gave the stage back: its
            // finished state was stored, the Hold that frees the stage was not, and no restart resumes
            // a finished execution. Woken, each holder tells this grain again what it holds (a
            // one-way call, so the two grains cannot wait on each other); the live ones change nothing.
            foreach (var holder in Members(state.State.InStage, stage))
            {
                _ = GrainFactory.GetGrain<IExecutionGrain>(holder).Kick();
            }
        }

        return decision;
    }

    public async Task Hold(string executionId, string? stage)
    {
        var changed = false;
        foreach (var (name, executions) in state.State.InStage.Where(s => s.Key != stage).ToList())
        {
            changed |= executions.Remove(executionId);
            changed |= GrantWaiting(name);
        }

        foreach (var (name, waiting) in state.State.Waiting.Where(w => w.Key != stage).ToList())
        {
            changed |= waiting.Remove(executionId);
        }

        if (changed)
        {
            await SaveRuntime();
        }
    }

    public async Task<TransitionOutcome> SetTransition(string stage, bool enabled, string? reason)
    {
        if (Latest is not { } pipeline)
        {
            return new TransitionOutcome(null, StartRefusal.PipelineNotFound, $"No pipeline named '{Name}' has been applied.");
        }

        if (pipeline.Stages.All(s => s.Name != stage))
        {
            return new TransitionOutcome(null, StartRefusal.NotFound,
                $"Pipeline '{Name}' has no stage '{stage}'; its stages are {string.Join(", ", pipeline.Stages.Select(s => s.Name))}.");
        }

        if (enabled)
        {
            state.State.DisabledTransitions.Remove(stage);
            GrantWaiting(stage);
        }
        else
        {
            state.State.DisabledTransitions[stage] = reason!;
        }

        LogTransition(Name, stage, enabled, reason);
        await SaveRuntime();
        return new TransitionOutcome(Runtime(), StartRefusal.None, null);
    }

    public Task<PipelineRuntime?> GetRuntime() => Task.FromResult(Latest is null ? null : Runtime());

    public async Task<PipelineRuntime?> WaitForRuntimeChange(long afterRevision, TimeSpan timeout)
    {
        if (Latest is not null && state.State.Revision <= afterRevision)
        {
            try
            {
                await _changed.Task.WaitAsync(timeout);
            }
            catch (TimeoutException)
            {
                // Nothing changed: the watcher gets the same state and asks again.
            }
        }

        return Latest is null ? null : Runtime();
    }

    /// <summary>The entry rules of the three execution modes and of disabled transitions.</summary>
    private EntryDecision Decide(string executionId, string stage)
    {
        var inStage = Members(state.State.InStage, stage);
        if (inStage.Contains(executionId))
        {
            return new EntryDecision(EntryVerdict.Granted, "");
        }

        var waiting = Members(state.State.Waiting, stage);
        waiting.Remove(executionId);
        if (state.State.DisabledTransitions.TryGetValue(stage, out var reason))
        {
            return Enqueue(executionId, stage, waiting, $"the transition into stage '{stage}' is disabled: {reason}");
        }

        if (Mode == ExecutionMode.Parallel || (inStage.Count == 0 && waiting.Count == 0))
        {
            inStage.Add(executionId);
            return new EntryDecision(EntryVerdict.Granted, "");
        }

        var busy = inStage.Count > 0 ? $"stage '{stage}' is busy with {string.Join(", ", inStage)}" : $"executions ahead wait for stage '{stage}'";
        return Enqueue(executionId, stage, waiting, busy);
    }

    private EntryDecision Enqueue(string executionId, string stage, List<string> waiting, string reason)
    {
        var number = Number(executionId);
        if (Mode == ExecutionMode.Superseded)
        {
            // At a stage boundary the newest execution wins; older ones waiting there are superseded.
            var newer = waiting.Where(w => Number(w) > number).OrderByDescending(Number).FirstOrDefault();
            if (newer is not null)
            {
                return new EntryDecision(EntryVerdict.Superseded, newer);
            }

            foreach (var older in waiting.ToList())
            {
                waiting.Remove(older);
                LogSuperseded(older, executionId, stage);
                GrainFactory.GetGrain<IExecutionGrain>(older).SupersededBy(executionId);
            }
        }

        // Queued (and parallel behind a disabled transition) enter in the order they started.
        var at = waiting.FindIndex(w => Number(w) > number);
        waiting.Insert(at < 0 ? waiting.Count : at, executionId);
        return new EntryDecision(EntryVerdict.Wait, reason);
    }

    /// <summary>Lets waiting executions into a stage that has room; true when any entered.</summary>
    private bool GrantWaiting(string stage)
    {
        if (state.State.DisabledTransitions.ContainsKey(stage))
        {
            return false;
        }

        var waiting = Members(state.State.Waiting, stage);
        var inStage = Members(state.State.InStage, stage);
        var granted = false;
        while (waiting.Count > 0 && (Mode == ExecutionMode.Parallel || inStage.Count == 0))
        {
            var next = waiting[0];
            waiting.RemoveAt(0);
            inStage.Add(next);
            granted = true;
            GrainFactory.GetGrain<IExecutionGrain>(next).EntryGranted(stage);
        }

        return granted;
    }

    private async Task<StartOutcome> Launch(ExecutionRun run, string source, int number)
    {
        var execution = GrainFactory.GetGrain<IExecutionGrain>(run.Id);
        await execution.Begin(new ExecutionStart(source, number), run);
        // One-way, so this returns at once: the execution asks this grain for stage entry as it
        // starts, which a call that waited for it would deadlock.
        await execution.Kick();
        return new StartOutcome(run.Id, StartRefusal.None, []);
    }

    private async Task<(string Id, int Number)> NextExecutionId()
    {
        // Stored before the execution exists, so a crash between the two skips a number rather than reusing one.
        var number = ++state.State.ExecutionsStarted;
        await state.WriteStateAsync();
        return ($"{Name}-{number}", number);
    }

    private PipelineRuntime Runtime() => new(
        Name,
        state.State.Versions.Count,
        Mode.ToString().ToLowerInvariant(),
        (Latest?.Stages ?? []).Select(s => new StageRuntime(
            s.Name,
            state.State.DisabledTransitions.GetValueOrDefault(s.Name),
            Members(state.State.InStage, s.Name).ToArray(),
            Members(state.State.Waiting, s.Name).ToArray())).ToArray(),
        state.State.Revision);

    private async Task SaveRuntime()
    {
        state.State.Revision++;
        await state.WriteStateAsync();
        var changed = _changed;
        _changed = NewSignal();
        changed.TrySetResult();
    }

    private static List<string> Members(Dictionary<string, List<string>> byStage, string stage)
    {
        if (!byStage.TryGetValue(stage, out var members))
        {
            byStage[stage] = members = [];
        }

        return members;
    }

    /// <summary>The number at the end of an execution id (<c>hello-7</c> is 7), its start order.</summary>
    private static int Number(string executionId) =>
        int.TryParse(executionId.AsSpan(executionId.LastIndexOf('-') + 1), out var number) ? number : 0;

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [LoggerMessage(EventId = 1400, Level = LogLevel.Information, Message = "Execution {Older} superseded by {Newer} before stage {Stage}")]
    private partial void LogSuperseded(string older, string newer, string stage);

    [LoggerMessage(EventId = 1401, Level = LogLevel.Information, Message = "Pipeline {Pipeline}: transition into {Stage} enabled={Enabled} ({Reason})")]
    private partial void LogTransition(string pipeline, string stage, bool enabled, string? reason);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Information, Message = "Rollback {ExecutionId} of stage {Stage} to {Target} started")]
    private partial void LogRollback(string executionId, string stage, string target);

    [LoggerMessage(EventId = 1403, Level = LogLevel.Warning, Message = "Pipeline {Pipeline}: apply by {Caller} refused, it changes protected stages without the approver or admin role: {Changes}")]
    private partial void LogProtectedRefused(string pipeline, string caller, string changes);

    [LoggerMessage(EventId = 1404, Level = LogLevel.Information, Message = "Pipeline {Pipeline}: version {Version} by {Caller} changes protected stages: {Changes}")]
    private partial void LogProtectedChanged(string pipeline, int version, string caller, string changes);
}
