namespace Farm.Core.Pipelines;

/// <summary>An action's <c>retry</c>: how often an attempt whose agent was lost runs again on another.</summary>
/// <param name="OnAgentLost">New attempts after a lost one, 0 to 10; 0 (the default) fails the action.</param>
public sealed record RetryPolicy(int OnAgentLost)
{
    public static readonly RetryPolicy None = new(0);
}
