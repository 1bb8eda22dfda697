namespace Farm.Core.Executions;

/// <summary>A command the execution's state does not allow (retry a stage that did not fail, stop a finished execution...).</summary>
public sealed class ExecutionRuleException(string message) : Exception(message);
