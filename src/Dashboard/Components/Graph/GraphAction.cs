using Farm.Api.V1;

namespace Farm.Dashboard.Components.Graph;

/// <summary>One node of the graph: an action with its status, how long it ran, and where.</summary>
public sealed record GraphAction(string Stage, string Name, string Type, ExecutionStatus Status, TimeSpan? Duration, string Agent, string Message, int Attempt)
{
    /// <summary>What a screen reader says for the node.</summary>
    public string AccessibleName =>
        string.Join(", ", new[]
        {
            $"Action {Name}",
            Shared.StatusDisplay.Label(Status),
            Duration is { } d ? Shared.StatusDisplay.Duration(d) : null,
            Agent.Length > 0 ? $"on agent {Agent}" : null,
        }.Where(part => part is not null));
}
