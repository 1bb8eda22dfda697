using Farm.Controller.Executions;
using Farm.Controller.Hosting;
using Farm.Controller.Storage;

namespace Farm.Controller.Cluster;

/// <summary>
/// When the cluster declares a silo dead, wakes every unfinished execution on the survivors. The
/// grains of the dead silo activate again from stored state at their next call, but an execution that
/// only waits on its own timer (leases, approval deadlines) gets no call; this is it. Every survivor
/// does it: <see cref="IExecutionGrain.Resume"/> is idempotent, and no survivor then depends on another.
/// </summary>
public sealed partial class FailoverRecovery(
    IClusterMembershipService membership, ExecutionHistory history, ExecutionGrains executions, ILogger<FailoverRecovery> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var dead = new HashSet<SiloAddress>();
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(stoppingToken))
            {
                var newlyDead = snapshot.Members.Values
                    .Where(m => m.Status == SiloStatus.Dead && dead.Add(m.SiloAddress))
                    .Select(m => m.SiloAddress)
                    .ToList();
                if (newlyDead.Count > 0)
                {
                    await ResumeAllAsync(string.Join(", ", newlyDead));
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The silo stops.
        }
    }

    private async Task ResumeAllAsync(string deadSilos)
    {
        var unfinished = await history.ListUnfinishedAsync();
        LogFailover(deadSilos, unfinished.Count);
        foreach (var execution in unfinished)
        {
            try
            {
                await executions.Get(execution.Id).Resume();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The next membership change or the execution's own next call tries again.
                LogResumeFailed(execution.Id, e.Message);
            }
        }
    }

    [LoggerMessage(EventId = 1500, Level = LogLevel.Warning, Message = "Silo {Silos} died; resuming {Count} unfinished executions on the survivors")]
    private partial void LogFailover(string silos, int count);

    [LoggerMessage(EventId = 1501, Level = LogLevel.Warning, Message = "Execution {ExecutionId} did not resume after a failover: {Reason}")]
    private partial void LogResumeFailed(string executionId, string reason);
}
