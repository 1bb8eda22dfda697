using System.Diagnostics;

namespace Farm.Agent.Telemetry;

/// <summary>
/// The agent's spans: one per attempt, a child of the controller's dispatch span whose context
/// came in the offer; its own context goes back in the result, so one trace follows an execution
/// from the controller to the agent and back.
/// </summary>
public static class AgentTracing
{
    public const string SourceName = "Farm.Agent";
    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>The span of running an attempt; null when nobody listens.</summary>
    public static Activity? StartAttempt(string attemptId, string? traceParent, string agentId)
    {
        var parent = traceParent is { Length: > 0 } && ActivityContext.TryParse(traceParent, null, out var context) ? context : default;
        var activity = Source.StartActivity(ActivityKind.Consumer, parent, name: "attempt " + attemptId);
        activity?.SetTag("farm.attempt.id", attemptId);
        activity?.SetTag("farm.agent.id", agentId);
        return activity;
    }
}
