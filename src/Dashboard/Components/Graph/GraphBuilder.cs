using Farm.Api.V1;
using Farm.Core.Pipelines;

namespace Farm.Dashboard.Components.Graph;

/// <summary>
/// Lays out the graph: the stages of the execution shown (it keeps the version it started with), or
/// of the latest definition when the pipeline never ran; actions grouped by run order; transitions
/// from the pipeline's run-time state.
/// </summary>
public static class GraphBuilder
{
    public static IReadOnlyList<GraphStage> Build(PipelineDefinition? definition, Execution? execution, PipelineState? state, DateTimeOffset now)
    {
        var transitions = (state?.Stages ?? []).ToDictionary(s => s.Name, StringComparer.Ordinal);
        if (execution is { Stages.Count: > 0 })
        {
            return [.. execution.Stages.Select(stage => Stage(
                stage.Name,
                stage.Status,
                stage.Actions.Select(a => new GraphAction(stage.Name, a.Name, a.Type, a.Status, DurationOf(a, now), a.Agent, a.Message, a.Attempt))
                    .Zip(stage.Actions, (node, action) => (node, action.RunOrder)),
                transitions.GetValueOrDefault(stage.Name),
                stage.Message))];
        }

        return [.. (definition?.Stages ?? []).Select(stage => Stage(
            stage.Name,
            ExecutionStatus.Unspecified,
            stage.Actions.Select(a => (new GraphAction(stage.Name, a.Name, TypeName(a.Type), ExecutionStatus.Unspecified, null, "", "", 0), a.RunOrder)),
            transitions.GetValueOrDefault(stage.Name),
            ""))];
    }

    private static GraphStage Stage(string name, ExecutionStatus status, IEnumerable<(GraphAction Node, int RunOrder)> actions, StageState? transition, string message)
    {
        var rows = actions
            .GroupBy(a => a.RunOrder)
            .OrderBy(g => g.Key)
            .Select(g => new GraphRow(g.Key, [.. g.Select(a => a.Node)]))
            .ToList();
        return new GraphStage(name, status, rows, transition?.TransitionEnabled ?? true, transition?.DisabledReason ?? "", message,
            [.. transition?.WaitingExecutionIds ?? []]);
    }

    private static TimeSpan? DurationOf(ActionExecution action, DateTimeOffset now) =>
        action.StartedAt is null ? null
        : (action.FinishedAt?.ToDateTimeOffset() ?? now) - action.StartedAt.ToDateTimeOffset();

    private static string TypeName(ActionType type) => type.ToString().ToLowerInvariant();
}
