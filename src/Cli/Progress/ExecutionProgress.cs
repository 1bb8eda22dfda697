using Farm.Api.V1;
using Farm.Cli.Formatting;

namespace Farm.Cli.Progress;

/// <summary>
/// Turns the successive states of one execution into progress lines for <c>farm start --wait</c>:
/// a line when a stage starts, when an action is queued, starts running and ends, and one when the
/// execution ends.
/// </summary>
/// <remarks>
/// Each line is keyed by (stage, action, attempt, status) and printed at most once, so the same
/// state seen twice (a reconnected watch begins with the current state) prints nothing new, while a
/// retry (a new attempt) prints its own transitions. States may skip steps (a watch only sends the
/// latest state after a gap): then only the lines for the statuses actually seen are printed. Pure:
/// no I/O and no clock, so it is tested with hand-made states.
/// </remarks>
internal sealed class ExecutionProgress
{
    private readonly HashSet<(string Stage, string Action, int Attempt, ExecutionStatus Status)> _printed = [];

    /// <summary>The lines to print for <paramref name="state"/> that earlier states have not printed, in order.</summary>
    public IReadOnlyList<string> Advance(Execution state)
    {
        var lines = new List<string>();
        foreach (var stage in state.Stages)
        {
            // A stage has started once one of its actions has an attempt; a stage skipped after an
            // earlier failure never gets one, so it is never announced.
            if (stage.Actions.Any(a => a.Attempt > 0) && _printed.Add((stage.Name, "", 0, ExecutionStatus.InProgress)))
            {
                lines.Add($"▶ {stage.Name}");
            }

            foreach (var action in stage.Actions)
            {
                if (ActionLine(action) is { } line && _printed.Add((stage.Name, action.Name, action.Attempt, action.Status)))
                {
                    lines.Add(line);
                }
            }
        }

        if (Display.IsFinal(state.Status) && _printed.Add(("", "", 0, state.Status)))
        {
            lines.Add(ExecutionLine(state));
        }

        return lines;
    }

    private static string? ActionLine(ActionExecution action)
    {
        var retry = action.Attempt > 1 ? $" (attempt {action.Attempt})" : "";
        switch (action.Status)
        {
            case ExecutionStatus.Queued:
                return $"  … {action.Name} queued{retry}" + (string.IsNullOrWhiteSpace(action.Message) ? "" : ": " + action.Message);
            case ExecutionStatus.InProgress:
                return $"  ⋯ {action.Name} running" + (string.IsNullOrEmpty(action.Agent) ? "" : $" on {action.Agent}") + retry;
            case ExecutionStatus.Succeeded:
                return $"  ✓ {action.Name}{Details(action)}";
            case ExecutionStatus.Failed:
                return $"  ✗ {action.Name}: {Display.FailureReason(action)}{Details(action)}";
            default:
                return null;
        }
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
        return state.Status == ExecutionStatus.Succeeded
            ? $"✓ {state.Id} succeeded" + (took is null ? "" : $" in {took}")
            : $"✗ {state.Id} failed" + (took is null ? "" : $" after {took}")
                + (string.IsNullOrWhiteSpace(state.Message) ? "" : ": " + state.Message);
    }
}
