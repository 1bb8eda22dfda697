namespace Farm.Agent.Executors;

/// <summary>
/// Runs one attempt's commands. Contract: writes everything the commands print to
/// <see cref="AttemptContext.Output"/>, returns once nothing more will be written, and never throws
/// for a failure of the action itself (a command that fails, an image that is missing, an engine
/// that is down): those become an <see cref="ExecutorResult"/> with a message. Cancelling the token
/// stops the commands (the process tree, or the container) before returning. Instances are shared
/// and run many attempts at once.
/// </summary>
public interface IActionExecutor
{
    Task<ExecutorResult> RunAsync(AttemptContext context, CancellationToken cancellationToken);
}
