using System.Text.RegularExpressions;
using Farm.Core.Pipelines;

namespace Farm.Core.Executions;

/// <summary>
/// The execution state machine: pure functions from a state and an event to the next state. No I/O
/// and no clock of its own, so the controller's grain decides when to persist and tests drive it
/// directly.
/// Rules: stages run in order, each entered only when the grain says the stage is free (execution
/// modes and transitions are the pipeline's business); inside an entered stage the lowest run order
/// that has not succeeded runs, all its actions in parallel; a failed action lets its running
/// siblings finish, starts nothing more, and then fails its stage (or retries it, per its onFailure)
/// and the execution. A stopping execution starts nothing new and ends Stopped once nothing runs.
/// </summary>
public static class ExecutionMachine
{
    /// <summary>A new execution with every stage pending; the grain enters the first.</summary>
    public static ExecutionRun Create(
        string id, PipelineDefinition pipeline, int version,
        IReadOnlyDictionary<string, string> variables, DateTimeOffset now) =>
        new()
        {
            Id = id,
            Pipeline = pipeline.Name,
            PipelineVersion = version,
            StartedAt = now,
            Variables = variables,
            Revision = 1,
            Stages = pipeline.Stages.Select(NewStage).ToList(),
        };

    /// <summary>
    /// A rollback: a new execution that runs <paramref name="stage"/> of <paramref name="pipeline"/>
    /// (the version <paramref name="target"/> ran) with the target's variables, output variables and
    /// artifacts; every other stage is skipped.
    /// </summary>
    public static ExecutionRun CreateRollback(
        string id, PipelineDefinition pipeline, ExecutionRun target, string stage, DateTimeOffset now)
    {
        var stageIndex = target.Stages.ToList().FindIndex(s => s.Name == stage);
        if (stageIndex < 0)
        {
            throw new ExecutionRuleException($"Execution '{target.Id}' has no stage '{stage}'.", notFound: true);
        }

        if (target.Stages[stageIndex].Status != RunStatus.Succeeded)
        {
            throw new ExecutionRuleException(
                $"Stage '{stage}' did not succeed in execution '{target.Id}' (it is {target.Stages[stageIndex].Status}); roll back to an execution in which it succeeded.");
        }

        var outputs = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        foreach (var (ns, values) in OutputsByNamespace(target))
        {
            outputs[ns] = values;
        }

        var artifacts = (target.Inherited?.Artifacts ?? [])
            .Where(a => !ProducedArtifacts(target).Any(p => p.Name == a.Name))
            .Concat(ProducedArtifacts(target))
            .ToList();
        return new ExecutionRun
        {
            Id = id,
            Pipeline = pipeline.Name,
            PipelineVersion = target.PipelineVersion,
            StartedAt = now,
            Variables = target.Variables,
            Trigger = ExecutionRun.RollbackTrigger,
            Inherited = new Inheritance(target.Id, outputs, artifacts),
            Revision = 1,
            Stages = pipeline.Stages
                .Select((s, i) => i == stageIndex ? NewStage(s) : NewStage(s) with { Status = RunStatus.Skipped, Message = "not part of this rollback" })
                .ToList(),
        };
    }

    /// <summary>The stage to enter next: pending, with every stage before it passed; null when none or when one is running.</summary>
    public static int? NextStageToEnter(ExecutionRun run)
    {
        if (run.Status != RunStatus.InProgress || run.CurrentStage is not null)
        {
            return null;
        }

        for (var s = 0; s < run.Stages.Count; s++)
        {
            var status = run.Stages[s].Status;
            if (status == RunStatus.Pending)
            {
                return s;
            }

            if (!status.IsPassed())
            {
                return null;
            }
        }

        return null;
    }

    /// <summary>Records that the execution waits to enter <paramref name="stage"/>, and why.</summary>
    public static ExecutionRun Wait(ExecutionRun run, int stage, string reason) =>
        run.WaitingForStage == stage && run.WaitingReason == reason
            ? run
            : run with { WaitingForStage = stage, WaitingReason = reason, Revision = run.Revision + 1 };

    /// <summary>
    /// Enters <paramref name="stage"/>, which must be <see cref="NextStageToEnter"/>: checks its
    /// beforeEntry rules, then runs it, skips it, or fails it and the execution.
    /// </summary>
    public static ExecutionRun Enter(ExecutionRun run, int stage, DateTimeOffset now)
    {
        if (NextStageToEnter(run) != stage)
        {
            return run;
        }

        var current = run.Stages[stage];
        var entered = run with { WaitingForStage = null, WaitingReason = null };
        if (current.BeforeEntry is { } conditions && FirstFailingRule(conditions, ActionResolver.Values(run)) is { } failing)
        {
            var skipped = conditions.Result == EntryResult.Skip;
            return Settle(Replace(entered, stage, current with
            {
                Status = skipped ? RunStatus.Skipped : RunStatus.Failed,
                Message = skipped ? $"skipped by its beforeEntry rule: {failing}" : $"its beforeEntry rule failed: {failing}",
            }), now);
        }

        return Settle(Replace(entered, stage, current with { Status = RunStatus.InProgress, Entries = current.Entries + 1, Message = null }), now);
    }

    /// <summary>Actions that may start now: pending, in the current stage's lowest unfinished run order.</summary>
    public static IReadOnlyList<ActionRef> ReadyActions(ExecutionRun run)
    {
        if (run.Status != RunStatus.InProgress || run.CurrentStage is not { } s)
        {
            return [];
        }

        var stage = run.Stages[s];
        if (stage.Actions.Any(a => a.Status is RunStatus.Failed or RunStatus.Abandoned))
        {
            return [];
        }

        var order = stage.Actions.Where(a => a.Status != RunStatus.Succeeded).Min(a => a.RunOrder);
        return stage.Actions
            .Select((a, i) => (a, i))
            .Where(x => x.a.RunOrder == order && x.a.Status == RunStatus.Pending)
            .Select(x => new ActionRef(s, x.i))
            .ToList();
    }

    /// <summary>Creates the next attempt of an action; it waits for an agent as Queued.</summary>
    public static ExecutionRun Queue(ExecutionRun run, ActionRef at, ResolvedAction resolved, out string attemptId)
    {
        var number = run.AttemptsCreated + 1;
        attemptId = AttemptIds.Create(run.Id, number);
        var action = Archived(run.Stages[at.Stage].Actions[at.Action]);
        var queued = action with
        {
            Status = RunStatus.Queued,
            Attempt = action.Attempt + 1,
            AttemptId = attemptId,
            Resolved = resolved,
        };
        return Settle(ReplaceAction(run, at, queued) with { AttemptsCreated = number }, now: null);
    }

    /// <summary>
    /// Makes a pending container-deploy action roll over <paramref name="agents"/>, one at a time in
    /// this order, stopping at the first that fails. Done before its first attempt is queued.
    /// </summary>
    public static ExecutionRun PlanRollout(ExecutionRun run, ActionRef at, IReadOnlyList<string> agents) =>
        ReplaceAction(run, at, run.Stages[at.Stage].Actions[at.Action] with { RollingTargets = agents, RolledOut = [] });

    /// <summary>
    /// Starts an action the controller carries out itself (an approval, a pipeline action): it is in
    /// progress at once, under a new attempt id, with no agent. An approval starts waiting with
    /// <paramref name="approval"/>.
    /// </summary>
    public static ExecutionRun StartInController(ExecutionRun run, ActionRef at, ResolvedAction resolved, ApprovalState? approval, DateTimeOffset now, out string attemptId)
    {
        var number = run.AttemptsCreated + 1;
        attemptId = AttemptIds.Create(run.Id, number);
        var action = Archived(run.Stages[at.Stage].Actions[at.Action]);
        var started = action with
        {
            Status = RunStatus.InProgress,
            Attempt = action.Attempt + 1,
            AttemptId = attemptId,
            Resolved = resolved,
            StartedAt = now,
            Approval = approval,
        };
        return Settle(ReplaceAction(run, at, started) with { AttemptsCreated = number }, now);
    }

    /// <summary>
    /// A person approves or rejects a waiting approval. Refused, with a sentence, for an action that
    /// does not exist, is not an approval, does not wait, or was decided already (saying by whom).
    /// </summary>
    public static ExecutionRun Decide(ExecutionRun run, string stageName, string actionName, bool approve, string by, string? comment, DateTimeOffset now)
    {
        var s = run.Stages.ToList().FindIndex(x => x.Name == stageName);
        var a = s < 0 ? -1 : run.Stages[s].Actions.ToList().FindIndex(x => x.Name == actionName);
        if (a < 0)
        {
            throw new ExecutionRuleException($"Execution '{run.Id}' has no action '{stageName}/{actionName}'.", notFound: true);
        }

        var action = run.Stages[s].Actions[a];
        if (action.Type != "approval")
        {
            throw new ExecutionRuleException($"Action '{stageName}/{actionName}' is a {action.Type} action, not an approval.");
        }

        if (action.Approval is { Approved: { } approved } decided)
        {
            throw new ExecutionRuleException(
                $"Approval '{stageName}/{actionName}' was already {(approved ? "approved" : "rejected")} by {decided.DecidedBy} at {decided.DecidedAt:u}.");
        }

        if (action.Status != RunStatus.InProgress || action.Approval is null)
        {
            throw new ExecutionRuleException($"Approval '{stageName}/{actionName}' does not wait for a decision (it is {action.Status}).");
        }

        var decision = action with
        {
            Status = approve ? RunStatus.Succeeded : RunStatus.Failed,
            Message = approve ? null : $"rejected by {by}" + (string.IsNullOrWhiteSpace(comment) ? "" : $": {comment}"),
            FinishedAt = now,
            Approval = action.Approval with { Approved = approve, DecidedBy = by, DecidedAt = now, Comment = comment },
        };
        return Settle(ReplaceAction(run, new ActionRef(s, a), decision), now);
    }

    /// <summary>The action could not even be dispatched (a reference with no value); it fails without an attempt.</summary>
    public static ExecutionRun FailBeforeDispatch(ExecutionRun run, ActionRef at, string message, DateTimeOffset now)
    {
        var action = Archived(run.Stages[at.Stage].Actions[at.Action]);
        return Settle(ReplaceAction(run, at, action with { Status = RunStatus.Failed, Message = message, FinishedAt = now }), now);
    }

    /// <summary>Finds the action whose latest attempt is <paramref name="attemptId"/>; null for a stale or unknown id.</summary>
    public static ActionRef? Find(ExecutionRun run, string attemptId)
    {
        for (var s = 0; s < run.Stages.Count; s++)
        {
            var actions = run.Stages[s].Actions;
            for (var a = 0; a < actions.Count; a++)
            {
                if (actions[a].AttemptId == attemptId)
                {
                    return new ActionRef(s, a);
                }
            }
        }

        return null;
    }

    /// <summary>
    /// An agent started the attempt. Returns <paramref name="run"/> itself when the attempt is stale,
    /// unknown, or no longer queued, so a late or repeated message changes nothing.
    /// </summary>
    public static ExecutionRun Started(ExecutionRun run, string attemptId, string agent, DateTimeOffset now)
    {
        if (Find(run, attemptId) is not { } at || run.Stages[at.Stage].Actions[at.Action] is not { Status: RunStatus.Queued } action)
        {
            return run;
        }

        return Settle(ReplaceAction(run, at, action with { Status = RunStatus.InProgress, Agent = agent, StartedAt = now }), now);
    }

    /// <summary>
    /// The attempt ended. Returns <paramref name="run"/> itself when the attempt is stale, unknown or
    /// already finished, so a result reported twice (after a reconnect) is applied once.
    /// </summary>
    public static ExecutionRun Finished(
        ExecutionRun run, string attemptId, bool succeeded, int? exitCode, string? message, DateTimeOffset now,
        IReadOnlyDictionary<string, string>? outputs = null, IReadOnlyList<ArtifactRef>? artifacts = null)
    {
        if (Find(run, attemptId) is not { } at || run.Stages[at.Stage].Actions[at.Action] is not { IsActive: true } action)
        {
            return run;
        }

        var done = action with
        {
            Status = succeeded ? RunStatus.Succeeded : RunStatus.Failed,
            ExitCode = exitCode,
            Message = succeeded ? null : message,
            StartedAt = action.StartedAt ?? now,
            FinishedAt = now,
            Outputs = succeeded ? outputs ?? new Dictionary<string, string>() : new Dictionary<string, string>(),
            Artifacts = succeeded ? artifacts ?? [] : [],
        };
        if (succeeded && action.RollingTargets.Count > 0 && action.Agent is { } agent)
        {
            // A rolling deploy moves on to its next agent: pending again, the attempt kept in history.
            var rolled = done with { RolledOut = [.. action.RolledOut, agent] };
            if (rolled.NextTarget is not null && run.Status == RunStatus.InProgress)
            {
                return Settle(ReplaceAction(run, at, Archived(rolled) with { Status = RunStatus.Pending }), now);
            }

            done = rolled;
        }

        return Settle(ReplaceAction(run, at, done), now);
    }

    /// <summary>
    /// The attempt's agent was lost (its lease ran out). Within the action's
    /// <c>retry.onAgentLost</c> the action is pending again, the lost attempt kept in its history,
    /// and the next dispatch gives it a new attempt on whichever agent is free; past it, the action
    /// fails with <paramref name="reason"/>. Stale or finished attempts change nothing.
    /// </summary>
    public static ExecutionRun Lost(ExecutionRun run, string attemptId, string reason, DateTimeOffset now)
    {
        if (Find(run, attemptId) is not { } at || run.Stages[at.Stage].Actions[at.Action] is not { IsActive: true } action)
        {
            return run;
        }

        if (action.LostAttempts >= action.RetryOnAgentLost || run.Status != RunStatus.InProgress)
        {
            return Finished(run, attemptId, false, null, reason, now);
        }

        var lost = action with { Status = RunStatus.Failed, Message = reason, FinishedAt = now };
        var again = Archived(lost) with { Status = RunStatus.Pending, LostAttempts = action.LostAttempts + 1 };
        return Settle(ReplaceAction(run, at, again), now);
    }

    /// <summary>
    /// Stops the execution. Without <paramref name="abandon"/> running actions finish and nothing new
    /// starts; with it they are marked Abandoned at once and listed in <paramref name="abandoned"/>
    /// for the caller to cancel on their agents.
    /// </summary>
    public static ExecutionRun Stop(ExecutionRun run, bool abandon, string reason, DateTimeOffset now, out IReadOnlyList<string> abandoned)
    {
        if (run.IsFinished)
        {
            throw new ExecutionRuleException($"Execution '{run.Id}' has already finished ({run.Status}); there is nothing to stop.");
        }

        var cancelled = new List<string>();
        var stages = run.Stages.Select(stage => stage with
        {
            Actions = stage.Actions.Select(action =>
            {
                if (!abandon || !action.IsActive)
                {
                    return action;
                }

                cancelled.Add(action.AttemptId!);
                return action with { Status = RunStatus.Abandoned, Message = "abandoned: " + reason, FinishedAt = now };
            }).ToList(),
        }).ToList();

        abandoned = cancelled;
        return Settle(run with
        {
            Stages = stages,
            Status = RunStatus.Stopping,
            Message = "stopped: " + reason,
            WaitingForStage = null,
            WaitingReason = null,
            Revision = run.Revision + 1,
        }, now);
    }

    /// <summary>
    /// Runs a failed or stopped stage again: its actions that did not succeed, or every action with
    /// <paramref name="all"/>. Earlier attempts stay in each action's history. The execution is in
    /// progress again and enters the stage anew.
    /// </summary>
    public static ExecutionRun Retry(ExecutionRun run, string stageName, bool all, DateTimeOffset now)
    {
        var s = run.Stages.ToList().FindIndex(x => x.Name == stageName);
        if (s < 0)
        {
            throw new ExecutionRuleException(
                $"Execution '{run.Id}' has no stage '{stageName}'; its stages are {string.Join(", ", run.Stages.Select(x => x.Name))}.", notFound: true);
        }

        if (run.Status is not (RunStatus.Failed or RunStatus.Stopped))
        {
            throw new ExecutionRuleException(
                $"Execution '{run.Id}' is {run.Status}: only a failed or stopped execution can retry a stage.");
        }

        var stage = run.Stages[s];
        if (stage.Status is not (RunStatus.Failed or RunStatus.Stopped))
        {
            throw new ExecutionRuleException(
                $"Stage '{stageName}' of execution '{run.Id}' is {stage.Status}: only a stage that failed or was stopped can be retried.");
        }

        var actions = stage.Actions
            .Select(a => all || a.Status != RunStatus.Succeeded ? Archived(a) with { Status = RunStatus.Pending, RollingTargets = [], RolledOut = [] } : a)
            .ToList();
        return Replace(run with
        {
            Status = RunStatus.InProgress,
            FinishedAt = null,
            Message = null,
        }, s, stage with { Status = RunStatus.Pending, Actions = actions, Message = null, AutomaticRetries = 0 });
    }

    /// <summary>Adds a sentence to a finished execution's message (what happened after it ended, such as a rollback).</summary>
    public static ExecutionRun Annotate(ExecutionRun run, string sentence) =>
        run with { Message = string.IsNullOrEmpty(run.Message) ? sentence : $"{run.Message} {sentence}", Revision = run.Revision + 1 };

    /// <summary>A newer execution overtook this one while it waited to enter a stage.</summary>
    public static ExecutionRun Supersede(ExecutionRun run, string newer, DateTimeOffset now) =>
        run.IsFinished
            ? run
            : run with
            {
                Status = RunStatus.Superseded,
                Message = $"superseded by {newer}",
                WaitingForStage = null,
                WaitingReason = null,
                FinishedAt = now,
                Revision = run.Revision + 1,
            };

    /// <summary>Output variables of every action that has a namespace, inherited ones first, this execution's over them.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> OutputsByNamespace(ExecutionRun run)
    {
        var outputs = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        foreach (var (ns, values) in run.Inherited?.Outputs ?? new Dictionary<string, IReadOnlyDictionary<string, string>>())
        {
            outputs[ns] = values;
        }

        foreach (var action in run.Stages.SelectMany(s => s.Actions).Where(a => a.Namespace is not null && a.Status == RunStatus.Succeeded))
        {
            outputs[action.Namespace!] = action.Outputs;
        }

        return outputs;
    }

    /// <summary>Artifacts this execution made (latest attempts), in stage and action order.</summary>
    public static IReadOnlyList<ArtifactRef> ProducedArtifacts(ExecutionRun run) =>
        run.Stages.SelectMany(s => s.Actions).Where(a => a.Status == RunStatus.Succeeded).SelectMany(a => a.Artifacts).ToList();

    private static StageRun NewStage(StageDefinition stage) =>
        new(stage.Name, RunStatus.Pending,
            stage.Actions.Select(a => new ActionRun
            {
                Name = a.Name,
                RunOrder = a.RunOrder,
                Type = a.Type.Name(),
                Namespace = a.Namespace,
                RetryOnAgentLost = a.Retry.OnAgentLost,
            }).ToList())
        {
            OnFailure = stage.OnFailure,
            BeforeEntry = stage.BeforeEntry,
        };

    /// <summary>The action with its latest attempt moved into its history, ready for a new one.</summary>
    private static ActionRun Archived(ActionRun action) =>
        action.AttemptId is null
            ? action
            : action with
            {
                PreviousAttempts = [.. action.PreviousAttempts,
                    new AttemptRecord(action.AttemptId, action.Status, action.Agent, action.ExitCode, action.Message, action.StartedAt, action.FinishedAt)],
                AttemptId = null,
                Agent = null,
                ExitCode = null,
                Message = null,
                StartedAt = null,
                FinishedAt = null,
                Resolved = null,
                Outputs = new Dictionary<string, string>(),
                Artifacts = [],
            };

    /// <summary>The first rule that does not hold, described for a person; null when all hold.</summary>
    private static string? FirstFailingRule(EntryConditions conditions, IReadOnlyDictionary<string, string> values)
    {
        foreach (var rule in conditions.Rules)
        {
            string text;
            string expected;
            try
            {
                text = Interpolation.Resolve(rule.Variable, values);
                expected = Interpolation.Resolve(rule.Value, values);
            }
            catch (KeyNotFoundException e)
            {
                return $"a reference of the rule on '{rule.Variable}' has no value ({e.Message})";
            }

            var holds = rule.Operator switch
            {
                RuleOperator.Equal => text == expected,
                RuleOperator.NotEqual => text != expected,
                RuleOperator.Contains => text.Contains(expected, StringComparison.Ordinal),
                RuleOperator.Matches => Regex.IsMatch(text, expected, RegexOptions.None, TimeSpan.FromSeconds(1)),
                _ => false,
            };
            if (!holds)
            {
                return $"'{rule.Variable}' is '{text}', which does not {Describe(rule.Operator)} '{expected}'";
            }
        }

        return null;
    }

    private static string Describe(RuleOperator op) => op switch
    {
        RuleOperator.Equal => "equal",
        RuleOperator.NotEqual => "differ from",
        RuleOperator.Contains => "contain",
        _ => "match",
    };

    private static ExecutionRun ReplaceAction(ExecutionRun run, ActionRef at, ActionRun action)
    {
        var actions = run.Stages[at.Stage].Actions.ToArray();
        actions[at.Action] = action;
        return Replace(run, at.Stage, run.Stages[at.Stage] with { Actions = actions });
    }

    private static ExecutionRun Replace(ExecutionRun run, int stage, StageRun replacement)
    {
        var stages = run.Stages.ToArray();
        stages[stage] = replacement;
        return run with { Stages = stages, Revision = run.Revision + 1 };
    }

    /// <summary>Derives stage and execution status from the actions, and applies onFailure retries.</summary>
    private static ExecutionRun Settle(ExecutionRun run, DateTimeOffset? now)
    {
        var stopping = run.Status == RunStatus.Stopping;
        var stages = run.Stages.Select(s => SettleStage(s, stopping)).ToList();
        var anyActive = stages.Any(s => s.Actions.Any(a => a.IsActive));

        if (stopping)
        {
            if (anyActive)
            {
                return run with { Stages = stages };
            }

            return run with
            {
                Stages = stages.Select(s => s.Status == RunStatus.InProgress ? s with { Status = RunStatus.Stopped } : s).ToList(),
                Status = RunStatus.Stopped,
                FinishedAt = now,
            };
        }

        if (run.IsFinished)
        {
            return run with { Stages = stages };
        }

        var failed = stages.FirstOrDefault(s => s.Status == RunStatus.Failed);
        if (failed is not null)
        {
            var action = failed.Actions.FirstOrDefault(a => a.Status == RunStatus.Failed);
            var why = action is null ? failed.Message : $"action '{action.Name}' {action.Message ?? "failed"}";
            return run with
            {
                Stages = stages,
                Status = RunStatus.Failed,
                FinishedAt = now,
                Message = $"Stage '{failed.Name}' failed: {why}.",
            };
        }

        var succeeded = stages.All(s => s.Status.IsPassed());
        return run with
        {
            Stages = stages,
            Status = succeeded ? RunStatus.Succeeded : RunStatus.InProgress,
            FinishedAt = succeeded ? now : null,
        };
    }

    private static StageRun SettleStage(StageRun stage, bool stopping)
    {
        if (stage.Status != RunStatus.InProgress)
        {
            return stage;
        }

        var actions = stage.Actions;
        if (actions.All(a => a.Status == RunStatus.Succeeded))
        {
            return stage with { Status = RunStatus.Succeeded };
        }

        if (actions.Any(a => a.IsActive) || stopping)
        {
            return stage;
        }

        if (!actions.Any(a => a.Status == RunStatus.Failed))
        {
            return stage;
        }

        if (stage.OnFailure.Result == FailureResult.Retry && stage.AutomaticRetries < stage.OnFailure.Retries)
        {
            // onFailure: retry runs the failed actions again, keeping their attempts in history.
            return stage with
            {
                AutomaticRetries = stage.AutomaticRetries + 1,
                Actions = actions.Select(a => a.Status == RunStatus.Failed ? Archived(a) with { Status = RunStatus.Pending } : a).ToList(),
            };
        }

        return stage with { Status = RunStatus.Failed };
    }
}
