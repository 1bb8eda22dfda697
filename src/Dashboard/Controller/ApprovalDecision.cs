namespace Farm.Dashboard.Controller;

/// <summary>An approver's answer to one waiting approval action.</summary>
public sealed record ApprovalDecision(string ExecutionId, string Stage, string Action, bool Approve, string Comment);
