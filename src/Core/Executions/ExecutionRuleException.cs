namespace Farm.Core.Executions;

/// <summary>A command the execution's state does not allow (retry a stage that did not fail, stop a finished execution...).</summary>
/// <param name="message">What was refused and why, for a person.</param>
/// <param name="notFound">True when the command names something that does not exist (a stage), rather than something in the wrong state.</param>
public sealed class ExecutionRuleException(string message, bool notFound = false) : Exception(message)
{
    public bool NotFound { get; } = notFound;
}
