using System.Collections.Concurrent;
using Farm.Agent.Executors;
using Farm.Agent.Hosting;
using Farm.Agent.Logs;
using Farm.Api.V1;
using Microsoft.Extensions.Options;

namespace Farm.Agent.Attempts;

/// <summary>
/// The attempts this agent runs, independent of any connection: they keep running while the agent
/// reconnects, and their results wait in <see cref="Unacknowledged"/> until the controller confirms
/// it stored them. Thread-safe.
/// </summary>
public sealed partial class AttemptSupervisor(
    IOptions<AgentOptions> options,
    ContainerExecutor containers,
    ShellExecutor shell,
    LogShipper shipper,
    ILogger<AttemptSupervisor> logger) : IDisposable
{
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _running = new();
    private readonly ConcurrentDictionary<string, AttemptFinished> _unacknowledged = new();
    private readonly CancellationTokenSource _stopping = new();
    private TaskCompletionSource _resultsChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _workDir = Path.GetFullPath(options.Value.WorkDir);

    public int FreeSlots => Math.Max(0, options.Value.Slots - _running.Count);

    public IReadOnlyCollection<string> RunningIds => _running.Keys.ToArray();

    /// <summary>Results not yet acknowledged by the controller.</summary>
    public IReadOnlyCollection<AttemptFinished> Unacknowledged => _unacknowledged.Values.ToArray();

    /// <summary>Completes when a result is added; then ask <see cref="Unacknowledged"/> again.</summary>
    public Task ResultsChanged => Volatile.Read(ref _resultsChanged).Task;

    /// <summary>Takes the offered attempt when a slot is free and starts it; false when full.</summary>
    public bool TryAccept(JobOffer offer)
    {
        if (_running.Count >= options.Value.Slots || _running.ContainsKey(offer.AttemptId))
        {
            return false;
        }

        var cancel = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        if (!_running.TryAdd(offer.AttemptId, cancel))
        {
            cancel.Dispose();
            return false;
        }

        _ = Task.Run(() => RunAsync(offer, cancel.Token));
        return true;
    }

    /// <summary>Stops an attempt the controller no longer wants; nothing is reported for it.</summary>
    public void Abandon(string attemptId)
    {
        _unacknowledged.TryRemove(attemptId, out _);
        if (_running.TryGetValue(attemptId, out var cancel))
        {
            LogAbandoned(attemptId);
            cancel.Cancel();
        }
    }

    public void Acknowledge(string attemptId) => _unacknowledged.TryRemove(attemptId, out _);

    private async Task RunAsync(JobOffer offer, CancellationToken abandoned)
    {
        var attemptId = offer.AttemptId;
        var workspace = Path.Combine(_workDir, "workspaces", attemptId);
        var spoolPath = Path.Combine(_workDir, "logs", attemptId + ".log");
        ExecutorResult? result = null;
        try
        {
            if (Directory.Exists(workspace))
            {
                Directory.Delete(workspace, recursive: true);
            }

            Directory.CreateDirectory(workspace);
            Directory.CreateDirectory(Path.GetDirectoryName(spoolPath)!);
            await using var spool = new LogSpool(spoolPath);
            var shipping = shipper.ShipAsync(attemptId, spool, abandoned);
            result = await ExecuteAsync(offer, workspace, spool, abandoned);
            await spool.CompleteAsync();
            // The result goes out only once the whole log is stored, so a finished action's log is complete.
            await shipping;
        }
        catch (OperationCanceledException) when (abandoned.IsCancellationRequested)
        {
            result = null;
        }
        catch (Exception e)
        {
            LogAgentFailure(attemptId, e);
            result = ExecutorResult.Failed($"the agent could not run it: {e.Message}");
        }
        finally
        {
            TryDelete(workspace, spoolPath);
        }

        if (result is not null && !abandoned.IsCancellationRequested)
        {
            _unacknowledged[attemptId] = new AttemptFinished
            {
                AttemptId = attemptId,
                Succeeded = result.Succeeded,
                ExitCode = result.ExitCode ?? -1,
                Message = result.FailureMessage ?? "",
            };
        }

        if (_running.TryRemove(attemptId, out var cancel))
        {
            cancel.Dispose();
        }

        Interlocked.Exchange(ref _resultsChanged, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    private async Task<ExecutorResult> ExecuteAsync(JobOffer offer, string workspace, LogSpool spool, CancellationToken abandoned)
    {
        var spec = offer.Spec;
        var isContainer = spec.Type == "container";
        var environment = new Dictionary<string, string>(spec.Env)
        {
            ["FARM_EXECUTION_ID"] = offer.ExecutionId,
            ["FARM_PIPELINE"] = offer.Pipeline,
            ["FARM_STAGE"] = offer.Stage,
            ["FARM_ACTION"] = offer.Action,
            ["FARM_ATTEMPT_ID"] = offer.AttemptId,
            ["FARM_WORKSPACE"] = isContainer ? ContainerExecutor.WorkspacePath : workspace,
        };
        var context = new AttemptContext(offer, workspace, environment, spool);
        IActionExecutor executor = spec.Type switch
        {
            "container" => containers,
            "shell" => shell,
            _ => throw new InvalidOperationException($"this agent has no executor for action type '{spec.Type}'"),
        };

        var timeout = TimeSpan.FromMilliseconds(spec.TimeoutMs > 0 ? spec.TimeoutMs : TimeSpan.FromHours(1).TotalMilliseconds);
        using var timer = new CancellationTokenSource(timeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(abandoned, timer.Token);
        try
        {
            return await executor.RunAsync(context, linked.Token);
        }
        catch (OperationCanceledException) when (timer.IsCancellationRequested && !abandoned.IsCancellationRequested)
        {
            return ExecutorResult.Failed($"timed out after {timeout.TotalSeconds:0.###} s");
        }
    }

    private void TryDelete(string workspace, string spoolPath)
    {
        try
        {
            if (Directory.Exists(workspace))
            {
                Directory.Delete(workspace, recursive: true);
            }

            File.Delete(spoolPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogCleanupFailed(workspace, e.Message);
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    [LoggerMessage(EventId = 2100, Level = LogLevel.Information, Message = "Abandoning attempt {AttemptId}")]
    private partial void LogAbandoned(string attemptId);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Error, Message = "Attempt {AttemptId} failed inside the agent")]
    private partial void LogAgentFailure(string attemptId, Exception exception);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "Could not clean up {Workspace}: {Reason}")]
    private partial void LogCleanupFailed(string workspace, string reason);
}
