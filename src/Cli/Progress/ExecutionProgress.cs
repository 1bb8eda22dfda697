using Farm.Api.V1;
using Farm.Cli.Formatting;

namespace Farm.Cli.Progress;

/// <summary>
/// Turns the successive states of one execution into progress lines for <c>farm watch</c> and the
/// <c>--wait</c> of <c>start</c>, <c>stop</c>, <c>retry</c> and <c>rollback</c>: a line when a stage is
/// entered (again, after a retry), skipped or fails before running anything; when an action is queued,
/// starts running and ends (succeeded, failed, stopped, abandoned); when an approval starts waiting
/// (with the command that approves it) and is approved or rejected (by whom, and why); when the
/// execution waits before a stage and why; when it is asked to stop; and one when it ends.
/// </summary>
/// <remarks>
/// Each line is keyed by (stage, action, attempt or entry, status) and printed at most once, so the
/// same state seen twice (a reconnected watch begins with the current state) prints nothing new, while
/// a retry (a new attempt, a new stage entry) prints its own transitions. States may skip steps (a
/// watch only sends the latest state after a gap): then only the lines for the statuses actually seen
/// are printed. Pure: no I/O and no clock, so it is tested with hand-made states.
/// </remarks>
internal sealed class ExecutionProgress
{
    private readonly HashSet<(string Stage, string Action, int Attempt, ExecutionStatus Status)> _printed = [];
    private (string Stage, string Reason)? _waiting;

    /// <summary>The lines to print for <paramref name="state"/> that earlier states have not printed, in order.</summary>
    public IReadOnlyList<string> Advance(Execution state)
    {
        var lines = new List<string>();
        foreach (var stage in state.Stages)
        {
            var entry = Math.Max(1, stage.Entries);
            if (stage.Status == ExecutionStatus.Skipped)
            {
                if (_printed.Add((stage.Name, "", entry, ExecutionStatus.Skipped)))
                {
                    lines.Add($"↷ {stage.Name} skipped" + Reason(stage.Message));
                }

                continue;
            }

            // A stage has been entered once it runs or one of its actions has an attempt; a stage
            // left alone after an earlier failure never is, so it is never announced.
            if ((stage.Status == ExecutionStatus.InProgress || stage.Actions.Any(a => a.Attempt > 0))
                && _printed.Add((stage.Name, "", entry, ExecutionStatus.InProgress)))
            {
                lines.Add($"▶ {stage.Name}" + (entry > 1 ? $" (entry {entry})" : ""));
            }

            foreach (var action in stage.Actions)
            {
                if ((ApprovalLine(state.Id, stage.Name, action) ?? ActionLine(action)) is { } line && _printed.Add((stage.Name, action.Name, action.Attempt, action.Status)))
                {
                    lines.Add(line);
                }
            }

            // A stage that failed before running anything (a beforeEntry rule, an input that could
            // not be resolved) has no action line to explain it.
            if (stage.Status == ExecutionStatus.Failed && !string.IsNullOrWhiteSpace(stage.Message)
                && _printed.Add((stage.Name, "", entry, ExecutionStatus.Failed)))
            {
                lines.Add($"✗ {stage.Name}: {stage.Message}");
            }
        }

        if (WaitingLine(state) is { } waiting)
        {
            lines.Add(waiting);
        }

        if (state.Status == ExecutionStatus.Stopping && _printed.Add(("", "", 0, ExecutionStatus.Stopping)))
        {
            lines.Add($"■ {state.Id} stopping" + Reason(state.Message));
        }

        if (Display.IsFinal(state.Status) && _printed.Add(("", "", 0, state.Status)))
        {
            lines.Add(ExecutionLine(state));
        }

        return lines;
    }

    /// <summary>
    /// "… waiting for Deploy: stage busy with hello-3" when the execution starts waiting before a stage
    /// or waits there for another reason; nothing while the wait is unchanged.
    /// </summary>
    private string? WaitingLine(Execution state)
    {
        if (string.IsNullOrEmpty(state.WaitingForStage) || Display.IsFinal(state.Status))
        {
            _waiting = null;
            return null;
        }

        var waiting = (state.WaitingForStage, state.WaitingReason.Trim());
        if (_waiting == waiting)
        {
            return null;
        }

        _waiting = waiting;
        return $"… waiting for {state.WaitingForStage}" + Reason(state.WaitingReason);
    }

    /// <summary>
    /// "⏸ sign-off waits for approval: Ship it? (farm approve gated-4 Gate/sign-off)" while an approval
    /// waits, "✓ sign-off approved by alice: looks good" or "✗ sign-off rejected by bob: not today" once
    /// decided; null for other actions and for an approval that ended undecided (timed out, stopped),
    /// which gets the ordinary line with its message.
    /// </summary>
    private static string? ApprovalLine(string executionId, string stage, ActionExecution action)
    {
        if (action.Approval is not { } approval)
        {
            return null;
        }

        var by = string.IsNullOrEmpty(approval.DecidedBy) ? "" : $" by {approval.DecidedBy}";
        return approval.Decision switch
        {
            "" when action.Status == ExecutionStatus.InProgress =>
                $"  ⏸ {action.Name} waits for approval{Reason(Display.OneLine(approval.Message))} ({Display.ApproveCommand(executionId, stage, action.Name)})",
            "approved" => $"  ✓ {action.Name} approved{by}" + Reason(Display.OneLine(approval.Comment)),
            "rejected" => $"  ✗ {action.Name} rejected{by}" + Reason(Display.OneLine(approval.Comment)),
            _ => null,
        };
    }

    private static string? ActionLine(ActionExecution action)
    {
        var retry = action.Attempt > 1 ? $" (attempt {action.Attempt})" : "";
        return action.Status switch
        {
            ExecutionStatus.Queued => $"  … {action.Name} queued{retry}" + Reason(action.Message),
            ExecutionStatus.InProgress => $"  ⋯ {action.Name} running" + (string.IsNullOrEmpty(action.Agent) ? "" : $" on {action.Agent}") + retry,
            ExecutionStatus.Succeeded => $"  ✓ {action.Name}{Details(action)}",
            ExecutionStatus.Failed => $"  ✗ {action.Name}: {Display.FailureReason(action)}{Details(action)}",
            // Stopped and abandoned actions that never ran (attempt 0) were only pending: nothing happened to them.
            ExecutionStatus.Stopped when action.Attempt > 0 => $"  ■ {action.Name} stopped{Details(action)}" + Reason(action.Message),
            ExecutionStatus.Abandoned when action.Attempt > 0 => $"  ⊘ {action.Name} abandoned{Details(action)}" + Reason(action.Message),
            _ => null,
        };
    }

    /// <summary>The parenthesised facts after an ended action: how long it took, where, which attempt.</summary>
    private static string Details(ActionExecution action)
    {
        var facts = new List<string>();
        if (action.StartedAt is not null && action.FinishedAt is not null)
        {
            facts.Add(Display.Duration(action.FinishedAt.ToDateTimeOffset() - action.StartedAt.ToDateTimeOffset()));
        }

        if (!string.IsNullOrEmpty(action.Agent))
        {
            facts.Add($"agent {action.Agent}");
        }

        if (action.Attempt > 1)
        {
            facts.Add($"attempt {action.Attempt}");
        }

        return facts.Count == 0 ? "" : $" ({string.Join(", ", facts)})";
    }

    private static string ExecutionLine(Execution state)
    {
        var took = state.StartedAt is not null && state.FinishedAt is not null
            ? Display.Duration(state.FinishedAt.ToDateTimeOffset() - state.StartedAt.ToDateTimeOffset())
            : null;
        var after = took is null ? "" : $" after {took}";
        return state.Status switch
        {
            ExecutionStatus.Succeeded => $"✓ {state.Id} succeeded" + (took is null ? "" : $" in {took}"),
            ExecutionStatus.Stopped => $"■ {state.Id} stopped{after}" + Reason(state.Message),
            ExecutionStatus.Superseded => $"⤳ {state.Id} superseded{after}" + Reason(state.Message),
            _ => $"✗ {state.Id} {Display.Status(state.Status)}{after}" + Reason(state.Message),
        };
    }

    private static string Reason(string message) => string.IsNullOrWhiteSpace(message) ? "" : ": " + message.Trim();
}
