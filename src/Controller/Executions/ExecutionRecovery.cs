using Farm.Controller.Hosting;
using Farm.Controller.Storage;

namespace Farm.Controller.Executions;

/// <summary>
/// After the silo has started, wakes every execution the history says is unfinished, so executions
/// that were running when the controller stopped go on without anyone asking for them.
/// </summary>
public sealed partial class ExecutionRecovery(
    ExecutionHistory history, ExecutionGrains executions, ILogger<ExecutionRecovery> logger) : IHostedLifecycleService
{
    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        var unfinished = await history.ListUnfinishedAsync();
        foreach (var execution in unfinished)
        {
            await executions.Get(execution.Id).Resume();
        }

        if (unfinished.Count > 0)
        {
            LogResumed(unfinished.Count);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Resumed {Count} unfinished executions")]
    private partial void LogResumed(int count);
}
