using System.Collections.Concurrent;
using System.Diagnostics;
using Farm.Agent.Artifacts;
using Farm.Agent.Executors;
using Farm.Agent.Hosting;
using Farm.Agent.Logs;
using Farm.Agent.Telemetry;
using Farm.Api.V1;
using Microsoft.Extensions.Options;

namespace Farm.Agent.Attempts;

/// <summary>
/// The attempts this agent runs, independent of any connection: they keep running while the agent
/// reconnects, and their results wait in <see cref="Unacknowledged"/> until the controller confirms
/// it stored them. An attempt unpacks its input artifacts into a fresh workspace, runs its executor
/// (chosen by the action's type: container, shell, git, http), then (when it succeeds) reads
/// $FARM_OUTPUT, merges the executor's own outputs over it, and packs and uploads its output
/// artifacts; its result is reported only once its log and artifacts are all stored.
/// <see cref="Drain"/> stops it taking offers; <see cref="ShutDownAsync"/> drains, gives running
/// attempts a grace to finish, then stops the rest and reports them failed. Thread-safe.
/// </summary>
public sealed partial class AttemptSupervisor(
    IOptions<AgentOptions> options,
    ContainerExecutor containers,
    ShellExecutor shell,
    GitExecutor git,
    HttpExecutor http,
    ImageBuildExecutor imageBuilds,
    DeployExecutor deploys,
    EngineMonitor engine,
    LogShipper shipper,
    ArtifactTransfer transfer,
    TimeProvider time,
    ILogger<AttemptSupervisor> logger) : IDisposable
{
    /// <summary>The failure message of an attempt still running when the drain grace ran out.</summary>
    public const string ShutDownMessage = "the agent shut down";

    private readonly ConcurrentDictionary<string, Running> _running = new();
    private readonly Lock _accepting = new();
    private volatile bool _draining;
    private readonly ConcurrentDictionary<string, AttemptFinished> _unacknowledged = new();
    private readonly CancellationTokenSource _stopping = new();
    private TaskCompletionSource _resultsChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _workDir = Path.GetFullPath(options.Value.WorkDir);
    private readonly HostPolicy _policy = options.Value.Policy();
    private readonly string _agentId = options.Value.AgentId;

    /// <summary>Slots free for new work; none while draining, so the controller offers nothing.</summary>
    public int FreeSlots => _draining ? 0 : Math.Max(0, options.Value.Slots - _running.Count);

    /// <summary>True once <see cref="Drain"/> was called: offers are refused from then on.</summary>
    public bool IsDraining => _draining;

    public IReadOnlyCollection<string> RunningIds => _running.Keys.ToArray();

    /// <summary>Results not yet acknowledged by the controller.</summary>
    public IReadOnlyCollection<AttemptFinished> Unacknowledged => _unacknowledged.Values.ToArray();

    /// <summary>Completes when a result is added; then ask <see cref="Unacknowledged"/> again.</summary>
    public Task ResultsChanged => Volatile.Read(ref _resultsChanged).Task;

    /// <summary>
    /// Takes the offered attempt when a slot is free and the agent is not draining, and starts it;
    /// otherwise false, with why in <paramref name="refusal"/> ("draining", "no free slot").
    /// </summary>
    public bool TryAccept(JobOffer offer, out string refusal)
    {
        Running running;
        lock (_accepting)
        {
            // Under the lock with Drain, so no attempt slips in after a drain has looked at what runs.
            refusal = _draining ? "draining"
                : _running.ContainsKey(offer.AttemptId) ? "already running"
                : _running.Count >= options.Value.Slots ? "no free slot"
                : "";
            if (refusal.Length > 0)
            {
                return false;
            }

            running = new Running(CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token));
            _running[offer.AttemptId] = running;
        }

        _ = Task.Run(() => RunAsync(offer, running));
        return true;
    }

    /// <summary>
    /// Stops taking new work: every offer from now on is refused with "draining" and heartbeats
    /// report no free slot. Running attempts go on and are reported as ever. Idempotent; nothing
    /// undoes it but a restart of the agent.
    /// </summary>
    public void Drain(string? reason = null)
    {
        lock (_accepting)
        {
            if (_draining)
            {
                return;
            }

            _draining = true;
        }

        LogDraining(string.IsNullOrWhiteSpace(reason) ? "asked to" : reason, _running.Count);
        SignalResultsChanged();
    }

    /// <summary>
    /// Drains, waits up to <see cref="DrainOptions.Grace"/> for running attempts to end, then stops
    /// those still running (SIGTERM, <see cref="DrainOptions.StopGrace"/>, SIGKILL) and reports them
    /// failed with <see cref="ShutDownMessage"/>, and finally waits up to
    /// <see cref="DrainOptions.AcknowledgeTimeout"/> for the controller to acknowledge every result.
    /// Returns early when <paramref name="cancellationToken"/> is cancelled (the host's own limit).
    /// </summary>
    public async Task ShutDownAsync(DrainOptions drain, CancellationToken cancellationToken)
    {
        Drain("the agent is stopping");
        if (!await WaitAsync(() => _running.IsEmpty, drain.Grace, cancellationToken))
        {
            foreach (var (attemptId, running) in _running)
            {
                LogInterrupted(attemptId, drain.Grace);
                running.Stop.Grace = drain.StopGrace;
                running.Interrupt.Cancel();
            }

            // The stop grace, then time for the log to be shipped and the container removed.
            await WaitAsync(() => _running.IsEmpty, drain.StopGrace + drain.AcknowledgeTimeout, cancellationToken);
        }

        if (!await WaitAsync(() => _unacknowledged.IsEmpty, drain.AcknowledgeTimeout, cancellationToken))
        {
            LogUnacknowledged(_unacknowledged.Count);
        }
    }

    /// <summary>True once <paramref name="done"/> holds, checked at each attempt's end; false when <paramref name="timeout"/> passed first.</summary>
    private async Task<bool> WaitAsync(Func<bool> done, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = time.GetTimestamp() + (long)(timeout.TotalSeconds * time.TimestampFrequency);
        while (true)
        {
            var changed = ResultsChanged;
            if (done())
            {
                return true;
            }

            var left = time.GetElapsedTime(time.GetTimestamp(), deadline);
            if (left <= TimeSpan.Zero)
            {
                return false;
            }

            try
            {
                await changed.WaitAsync(left, time, cancellationToken);
            }
            catch (TimeoutException)
            {
                return done();
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return done();
            }
        }
    }

    /// <summary>
    /// Stops an attempt the controller no longer wants: SIGTERM, <paramref name="grace"/>, SIGKILL.
    /// Nothing is reported for it.
    /// </summary>
    public void Abandon(string attemptId, TimeSpan grace = default)
    {
        _unacknowledged.TryRemove(attemptId, out _);
        if (_running.TryGetValue(attemptId, out var running))
        {
            LogAbandoned(attemptId);
            running.Stop.Grace = grace;
            running.Cancel.Cancel();
        }
    }

    public void Acknowledge(string attemptId)
    {
        if (_unacknowledged.TryRemove(attemptId, out _))
        {
            SignalResultsChanged();
        }
    }

    private async Task RunAsync(JobOffer offer, Running running)
    {
        var attemptId = offer.AttemptId;
        var abandoned = running.Cancel.Token;
        var stop = running.Stop;
        var workspace = Path.Combine(_workDir, "workspaces", attemptId);
        var outputFolder = Path.Combine(_workDir, "outputs", attemptId);
        var spoolPath = Path.Combine(_workDir, "logs", attemptId + ".log");
        var mask = new SecretMask(offer.Spec.MaskedValues);
        using var span = AgentTracing.StartAttempt(attemptId, offer.Traceparent, _agentId);
        ExecutorResult? result = null;
        Produced? produced = null;
        LogSpool? spool = null;
        Task? shipping = null;
        using var shipCancel = CancellationTokenSource.CreateLinkedTokenSource(abandoned);
        try
        {
            foreach (var folder in (string[])[workspace, outputFolder])
            {
                if (Directory.Exists(folder))
                {
                    Directory.Delete(folder, recursive: true);
                }

                Directory.CreateDirectory(folder);
            }

            // Created empty, so commands may append to it as they may to GitHub's $GITHUB_OUTPUT.
            await File.WriteAllBytesAsync(Path.Combine(outputFolder, OutputFile.FileName), [], abandoned);
            Directory.CreateDirectory(Path.GetDirectoryName(spoolPath)!);
            spool = new LogSpool(spoolPath, mask);
            shipping = shipper.ShipAsync(attemptId, spool, shipCancel.Token);
            result = await FetchInputsAsync(offer, workspace, abandoned)
                ?? await ExecuteAsync(offer, workspace, outputFolder, spool, stop, running.Interrupt.Token, abandoned);
            await spool.CompleteAsync();
            if (result.Succeeded)
            {
                (result, produced) = await ProduceAsync(offer, workspace, outputFolder, mask, result, abandoned);
            }

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
            if (spool is not null && shipping is not null)
            {
                // Ship what was written before the failure (a full disk, say), for a while, so the
                // log shows where the action stopped; then let the shipper go, or it would hold the
                // spool file, and its space, for as long as the agent runs.
                await spool.CompleteAsync();
                shipCancel.CancelAfter(TimeSpan.FromSeconds(30));
                try
                {
                    await shipping;
                }
                catch (OperationCanceledException)
                {
                    LogLogIncomplete(attemptId);
                }
            }
        }
        finally
        {
            try
            {
                if (spool is not null)
                {
                    await spool.DisposeAsync();
                }
            }
            catch (IOException e)
            {
                // Closing flushes what is buffered, which fails again on a full disk; the file goes anyway.
                LogCleanupFailed(spoolPath, e.Message);
            }

            TryDelete(spoolPath, workspace, outputFolder);
        }

        if (result is not null && !abandoned.IsCancellationRequested)
        {
            var finished = new AttemptFinished
            {
                AttemptId = attemptId,
                Succeeded = result.Succeeded,
                ExitCode = result.ExitCode ?? -1,
                Message = mask.Apply(result.FailureMessage ?? ""),
                Traceparent = span?.Id ?? "",
            };
            span?.SetStatus(result.Succeeded ? ActivityStatusCode.Ok : ActivityStatusCode.Error);
            if (result.Succeeded && produced is not null)
            {
                foreach (var (key, value) in produced.Outputs)
                {
                    finished.Outputs[key] = value;
                }

                finished.Artifacts.Add(produced.Artifacts);
            }

            _unacknowledged[attemptId] = finished;
        }

        if (_running.TryRemove(attemptId, out _))
        {
            running.Dispose();
        }

        SignalResultsChanged();
    }

    private void SignalResultsChanged() =>
        Interlocked.Exchange(ref _resultsChanged, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Unpacks the input artifacts in order; null when all are in place, else the failure.</summary>
    private async Task<ExecutorResult?> FetchInputsAsync(JobOffer offer, string workspace, CancellationToken abandoned)
    {
        foreach (var input in offer.Spec.InputArtifacts)
        {
            string archive;
            try
            {
                archive = await transfer.FetchAsync(offer.AttemptId, input, abandoned);
            }
            catch (Exception e) when (e is ArtifactException or IOException or UnauthorizedAccessException)
            {
                return ExecutorResult.Failed($"input artifact '{input.Name}' could not be fetched: {e.Message}");
            }

            try
            {
                await using var stream = new FileStream(archive, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true);
                await ArtifactArchive.UnpackAsync(stream, workspace, abandoned);
            }
            catch (Exception e) when (e is ArtifactException or IOException or UnauthorizedAccessException)
            {
                // InvalidDataException (not gzip, not tar) is an IOException too.
                return ExecutorResult.Failed($"input artifact '{input.Name}' could not be unpacked: {e.Message}");
            }
        }

        return null;
    }

    /// <summary>
    /// After the commands succeeded: reads $FARM_OUTPUT and takes the executor's own outputs over it,
    /// refuses them when one holds a secret, then packs and uploads each output artifact. The exit
    /// code stays the commands' own (0) when one of these fails the attempt.
    /// </summary>
    private async Task<(ExecutorResult Result, Produced? Produced)> ProduceAsync(
        JobOffer offer, string workspace, string outputFolder, SecretMask mask, ExecutorResult succeeded, CancellationToken abandoned)
    {
        Dictionary<string, string> outputs;
        try
        {
            outputs = new(await OutputFile.ReadAsync(outputFolder, abandoned), StringComparer.Ordinal);
        }
        catch (OutputFileException e)
        {
            return (succeeded with { FailureMessage = e.Message }, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (succeeded with { FailureMessage = $"$FARM_OUTPUT could not be read: {e.Message}" }, null);
        }

        // Outputs the executor produced itself (git's commit, http's status) win over $FARM_OUTPUT.
        foreach (var (key, value) in succeeded.Outputs ?? new Dictionary<string, string>())
        {
            outputs[key] = value;
        }

        // Refused, not masked: output variables are stored, shown by the API and pasted into later
        // actions' commands, so a masked value would still be the wrong value downstream. The
        // message names the variable only (and is masked itself, should the name be the secret).
        if (outputs.FirstOrDefault(o => mask.Finds(o.Key) || mask.Finds(o.Value)) is { Key: { } leaking })
        {
            return (succeeded with
            {
                FailureMessage = $"the output variable {leaking} holds a secret of this action, or a form of one (base64, hex, " +
                    "URL-encoded, reversed); output variables are stored and shown to every viewer, so give the secret to " +
                    "the later action through its own `secrets` instead",
            }, null);
        }

        var artifacts = new List<ArtifactRef>();
        foreach (var spec in offer.Spec.OutputArtifacts)
        {
            ArtifactRef artifact;
            try
            {
                artifact = await transfer.PackAsync(spec.Name, workspace, spec.Paths, abandoned);
            }
            catch (Exception e) when (e is ArtifactException or IOException or UnauthorizedAccessException)
            {
                return (succeeded with { FailureMessage = $"output artifact '{spec.Name}': {e.Message}" }, null);
            }

            try
            {
                await transfer.UploadAsync(offer.AttemptId, artifact, abandoned);
            }
            catch (Exception e) when (e is ArtifactException or IOException or UnauthorizedAccessException)
            {
                return (succeeded with { FailureMessage = $"output artifact '{spec.Name}' could not be uploaded: {e.Message}" }, null);
            }

            artifacts.Add(artifact);
        }

        return (succeeded, new Produced(outputs, artifacts));
    }

    private async Task<ExecutorResult> ExecuteAsync(
        JobOffer offer, string workspace, string outputFolder, LogSpool spool, StopRequest stop,
        CancellationToken interrupted, CancellationToken abandoned)
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
            ["FARM_OUTPUT"] = isContainer ? ContainerExecutor.OutputPath : Path.Combine(outputFolder, OutputFile.FileName),
        };
        if (Refusal(spec) is { } refused)
        {
            return ExecutorResult.Failed($"this agent does not run it: {refused}");
        }

        var context = new AttemptContext(offer, workspace, environment, spool, outputFolder, stop);
        IActionExecutor executor = spec.Type switch
        {
            "container" => containers,
            "shell" => shell,
            "git" => git,
            "http" => http,
            "image-build" => imageBuilds,
            "container-deploy" => deploys,
            _ => throw new InvalidOperationException($"this agent has no executor for action type '{spec.Type}'"),
        };

        var timeout = TimeSpan.FromMilliseconds(spec.TimeoutMs > 0 ? spec.TimeoutMs : TimeSpan.FromHours(1).TotalMilliseconds);
        using var timer = new CancellationTokenSource(timeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(abandoned, timer.Token, interrupted);
        try
        {
            return await executor.RunAsync(context, linked.Token);
        }
        catch (OperationCanceledException) when (interrupted.IsCancellationRequested && !abandoned.IsCancellationRequested)
        {
            // Only the commands stop: the log is still shipped to its end and the failure reported.
            return ExecutorResult.Failed(ShutDownMessage);
        }
        catch (OperationCanceledException) when (timer.IsCancellationRequested && !abandoned.IsCancellationRequested)
        {
            return ExecutorResult.Failed($"timed out after {timeout.TotalSeconds:0.###} s");
        }
    }

    /// <summary>
    /// Why this agent will not run <paramref name="spec"/>: its owner's host policy forbids it, or it
    /// needs the Docker engine, which is unavailable. The dispatcher applies the same rule before it
    /// offers; this is the host's own word, on the resolved spec, so a network or mount that a
    /// variable filled in is judged as it will run.
    /// </summary>
    private string? Refusal(ActionSpec spec) =>
        _policy.Refusal(spec.Type == "shell", spec.Network, spec.Deploy?.Volumes ?? [])
        ?? (EngineStatus.IsNeededBy(spec.Type) && engine.Current is { Available: false } down
            ? "container actions are unavailable on this agent: " + string.Join(" ", down.Problems)
            : null);

    private void TryDelete(string spoolPath, params string[] folders)
    {
        foreach (var folder in folders)
        {
            try
            {
                if (Directory.Exists(folder))
                {
                    Directory.Delete(folder, recursive: true);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                LogCleanupFailed(folder, e.Message);
            }
        }

        try
        {
            File.Delete(spoolPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogCleanupFailed(spoolPath, e.Message);
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    /// <summary>
    /// A running attempt's handles: <see cref="Cancel"/> abandons it (nothing is reported),
    /// <see cref="Interrupt"/> stops only its commands (it is reported failed), both the way
    /// <see cref="Stop"/> says.
    /// </summary>
    private sealed class Running(CancellationTokenSource cancel) : IDisposable
    {
        public CancellationTokenSource Cancel { get; } = cancel;

        public CancellationTokenSource Interrupt { get; } = new();

        public StopRequest Stop { get; } = new();

        public void Dispose()
        {
            Cancel.Dispose();
            Interrupt.Dispose();
        }
    }

    /// <summary>What a succeeded attempt hands back besides its log.</summary>
    private sealed record Produced(IReadOnlyDictionary<string, string> Outputs, IReadOnlyList<ArtifactRef> Artifacts);

    [LoggerMessage(EventId = 2110, Level = LogLevel.Warning, Message = "The log of attempt {AttemptId} could not be shipped whole after the agent failed to run it")]
    private partial void LogLogIncomplete(string attemptId);

    [LoggerMessage(EventId = 2100, Level = LogLevel.Information, Message = "Abandoning attempt {AttemptId}")]
    private partial void LogAbandoned(string attemptId);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Error, Message = "Attempt {AttemptId} failed inside the agent")]
    private partial void LogAgentFailure(string attemptId, Exception exception);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "Could not clean up {Workspace}: {Reason}")]
    private partial void LogCleanupFailed(string workspace, string reason);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Information, Message = "Draining ({Reason}): taking no new work; {Running} attempts still running")]
    private partial void LogDraining(string reason, int running);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Warning, Message = "Attempt {AttemptId} still ran after the drain grace of {Grace}; stopping it")]
    private partial void LogInterrupted(string attemptId, TimeSpan grace);

    [LoggerMessage(EventId = 2105, Level = LogLevel.Warning, Message = "Stopping with {Count} results the controller has not acknowledged")]
    private partial void LogUnacknowledged(int count);
}
