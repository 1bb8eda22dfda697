using Farm.Api.V1;

namespace Farm.Dashboard.Components.Graph;

/// <summary>
/// One stage of the graph with its actions in rows by run order, and the state of its inbound
/// transition (the arrow drawn before it).
/// </summary>
public sealed record GraphStage(
    string Name,
    ExecutionStatus Status,
    IReadOnlyList<GraphRow> Rows,
    bool TransitionEnabled,
    string DisabledReason,
    string Message,
    IReadOnlyList<string> WaitingExecutionIds);
