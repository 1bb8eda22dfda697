namespace Farm.Dashboard.Controller;

/// <summary>An action an agent runs now.</summary>
public sealed record RunningAction(string ExecutionId, string Stage, string Action);
