using System.Diagnostics;

namespace Farm.Controller.Telemetry;

/// <summary>
/// The controller's spans. An execution's trace begins at its start (<see cref="StartExecution"/>,
/// stored as a traceparent with the execution, so it outlives silos); each dispatch is a child span
/// whose context travels in the offer to the agent; the agent's attempt span comes back in its result
/// and parents the controller's span of that result.
/// </summary>
public static class FarmTracing
{
    public const string SourceName = "Farm.Controller";
    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>The root span of an execution; returns its traceparent, made up when nobody listens so later spans still share a trace.</summary>
    public static string StartExecution(string executionId, string pipeline)
    {
        using var activity = Source.StartActivity(ActivityKind.Internal, parentContext: default, name: "execution " + executionId);
        activity?.SetTag("farm.execution.id", executionId);
        activity?.SetTag("farm.pipeline", pipeline);
        return activity?.Id
            ?? new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.None).ToTraceParent();
    }

    /// <summary>The span of offering an attempt, child of the execution's; its traceparent goes to the agent.</summary>
    public static string? Dispatch(string? executionTraceParent, string attemptId)
    {
        using var activity = Source.StartActivity(ActivityKind.Producer, Parse(executionTraceParent), name: "dispatch " + attemptId);
        activity?.SetTag("farm.attempt.id", attemptId);
        return activity?.Id ?? executionTraceParent;
    }

    /// <summary>The span of storing an attempt's result, child of the agent's span when the agent sent one.</summary>
    public static Activity? Result(string? agentTraceParent, string attemptId)
    {
        var activity = Source.StartActivity(ActivityKind.Consumer, Parse(agentTraceParent), name: "result " + attemptId);
        activity?.SetTag("farm.attempt.id", attemptId);
        return activity;
    }

    public static ActivityContext Parse(string? traceParent) =>
        traceParent is not null && ActivityContext.TryParse(traceParent, null, out var context) ? context : default;

    private static string ToTraceParent(this ActivityContext context) =>
        $"00-{context.TraceId.ToHexString()}-{context.SpanId.ToHexString()}-{(context.TraceFlags.HasFlag(ActivityTraceFlags.Recorded) ? "01" : "00")}";
}
