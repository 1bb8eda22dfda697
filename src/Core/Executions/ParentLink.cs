namespace Farm.Core.Executions;

/// <summary>The pipeline action that started an execution and waits for it to finish.</summary>
public sealed record ParentLink(string ExecutionId, string AttemptId);
