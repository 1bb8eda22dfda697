namespace Farm.Dashboard.Controller;

/// <summary>One action's log in one execution; <see cref="Attempt"/> 0 is the latest attempt.</summary>
public sealed record LogAddress(string ExecutionId, string Stage, string Action, int Attempt = 0);
