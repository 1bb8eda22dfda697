using Farm.Core.Pipelines;

namespace Farm.Core.Executions;

/// <summary>
/// The execution state machine: pure functions from a state and an event to the next state. No I/O
/// and no clock of its own, so the controller's grain decides when to persist and tests drive it
/// directly.
/// Rules: stages run in order; inside a stage the lowest run order that has not succeeded runs, all
/// its actions in parallel; a failed action lets its running siblings finish, starts nothing more,
/// and then fails its stage and the execution.
/// </summary>
public static class ExecutionMachine
{
    /// <summary>A new execution with every action pending and the first group ready.</summary>
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
            Stages = pipeline.Stages
                .Select(s => new StageRun(s.Name, RunStatus.Pending,
                    s.Actions.Select(a => new ActionRun { Name = a.Name, RunOrder = a.RunOrder, Type = a.Type.ToString().ToLowerInvariant() }).ToList()))
                .ToList(),
        };

    /// <summary>Actions that may start now: pending, in the current stage's lowest unfinished run order.</summary>
    public static IReadOnlyList<ActionRef> ReadyActions(ExecutionRun run)
    {
        if (run.IsFinished)
        {
            return [];
        }

        for (var s = 0; s < run.Stages.Count; s++)
        {
            var stage = run.Stages[s];
            if (stage.Status == RunStatus.Succeeded)
            {
                continue;
            }

            if (stage.Actions.Any(a => a.Status == RunStatus.Failed))
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

        return [];
    }

    /// <summary>Creates the next attempt of a ready action; it waits for an agent as Queued.</summary>
    public static ExecutionRun Queue(ExecutionRun run, ActionRef at, out string attemptId)
    {
        var number = run.AttemptsCreated + 1;
        attemptId = AttemptIds.Create(run.Id, number);
        var action = run.Stages[at.Stage].Actions[at.Action];
        var queued = action with
        {
            Status = RunStatus.Queued,
            Attempt = action.Attempt + 1,
            AttemptId = attemptId,
            Agent = null,
            ExitCode = null,
            Message = null,
            StartedAt = null,
            FinishedAt = null,
        };
        return Settle(Replace(run, at, queued) with { AttemptsCreated = number }, now: null);
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

        return Settle(Replace(run, at, action with { Status = RunStatus.InProgress, Agent = agent, StartedAt = now }), now);
    }

    /// <summary>
    /// The attempt ended. Returns <paramref name="run"/> itself when the attempt is stale, unknown or
    /// already finished, so a result reported twice (after a reconnect) is applied once.
    /// </summary>
    public static ExecutionRun Finished(
        ExecutionRun run, string attemptId, bool succeeded, int? exitCode, string? message, DateTimeOffset now)
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
        };
        return Settle(Replace(run, at, done), now);
    }

    private static ExecutionRun Replace(ExecutionRun run, ActionRef at, ActionRun action)
    {
        var stages = run.Stages.ToArray();
        var actions = stages[at.Stage].Actions.ToArray();
        actions[at.Action] = action;
        stages[at.Stage] = stages[at.Stage] with { Actions = actions };
        return run with { Stages = stages, Revision = run.Revision + 1 };
    }

    /// <summary>Derives stage and execution status from the actions.</summary>
    private static ExecutionRun Settle(ExecutionRun run, DateTimeOffset? now)
    {
        var stages = run.Stages.Select(s => s with { Status = StageStatus(s.Actions) }).ToList();
        var failed = stages.FirstOrDefault(s => s.Status == RunStatus.Failed);
        if (failed is not null)
        {
            var action = failed.Actions.First(a => a.Status == RunStatus.Failed);
            return run with
            {
                Stages = stages,
                Status = RunStatus.Failed,
                FinishedAt = now,
                Message = $"Stage '{failed.Name}' failed: action '{action.Name}' {action.Message ?? "failed"}.",
            };
        }

        var succeeded = stages.All(s => s.Status == RunStatus.Succeeded);
        return run with
        {
            Stages = stages,
            Status = succeeded ? RunStatus.Succeeded : RunStatus.InProgress,
            FinishedAt = succeeded ? now : null,
        };
    }

    private static RunStatus StageStatus(IReadOnlyList<ActionRun> actions)
    {
        if (actions.All(a => a.Status == RunStatus.Succeeded))
        {
            return RunStatus.Succeeded;
        }

        if (actions.Any(a => a.Status == RunStatus.Failed))
        {
            return actions.Any(a => a.IsActive) ? RunStatus.InProgress : RunStatus.Failed;
        }

        return actions.All(a => a.Status == RunStatus.Pending) ? RunStatus.Pending : RunStatus.InProgress;
    }
}
