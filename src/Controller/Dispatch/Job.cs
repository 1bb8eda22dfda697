using Farm.Core.Executions;
using Farm.Core.Pipelines;

namespace Farm.Controller.Dispatch;

/// <summary>
/// An attempt waiting for, or offered to, an agent; <see cref="Action"/> is fully resolved and
/// <see cref="Inputs"/> are the archives its input artifacts name. <see cref="Masked"/> holds the
/// secret values it was given, for the agent to mask; jobs live in memory only, never in storage.
/// <see cref="PinnedAgent"/>, set for a step of a rolling deploy, is the one agent that may take it;
/// <see cref="TraceParent"/> carries the dispatch span to the agent. Both are optional and of one
/// type: callers name them, since a traceparent passed as the pin would match no agent, ever.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record Job(
    [property: Id(0)] string AttemptId,
    [property: Id(1)] string ExecutionId,
    [property: Id(2)] string Pipeline,
    [property: Id(3)] string Stage,
    [property: Id(4)] string ActionName,
    [property: Id(5)] string[] RunsOn,
    [property: Id(6)] ActionDefinition Action,
    [property: Id(7)] ArtifactRef[] Inputs,
    [property: Id(8)] string[] Masked,
    [property: Id(9)] string? PinnedAgent = null,
    [property: Id(10)] string? TraceParent = null);
