using Docker.DotNet;
using Docker.DotNet.Models;
using Farm.Api.V1;

namespace Farm.Agent.Executors;

/// <summary>
/// Runs the commands with <c>sh -c</c> in a fresh container of the action's image through the
/// Docker engine API: workspace bind-mounted at <see cref="WorkspacePath"/> (and the attempt's output
/// folder at <see cref="OutputFolderPath"/>, so $FARM_OUTPUT is <see cref="OutputPath"/>), never privileged,
/// every capability dropped, no new privileges, the action's resource limits (memory, CPU, pids;
/// a pids limit of <see cref="DefaultPidsLimit"/> when it sets none), and the action's network (or
/// the agent's default). The container is always removed. A container the kernel killed for memory
/// fails with "ran out of memory (limit …)". Engine failures become the action's failure message;
/// the agent itself carries on.
/// </summary>
public sealed partial class ContainerExecutor(DockerEngine engine, ILogger<ContainerExecutor> logger) : IActionExecutor
{
    public const string WorkspacePath = "/workspace";

    /// <summary>Where the attempt's output folder is mounted in the container.</summary>
    public const string OutputFolderPath = "/farm";

    /// <summary>$FARM_OUTPUT inside the container.</summary>
    public const string OutputPath = OutputFolderPath + "/output";

    /// <summary>Processes and threads a container may have when the action sets no pids limit.</summary>
    public const long DefaultPidsLimit = 4096;

    private readonly DockerClient _docker = engine.Client;

    public async Task<ExecutorResult> RunAsync(AttemptContext context, CancellationToken cancellationToken)
    {
        var spec = context.Offer.Spec;
        var limits = spec.Resources ?? new ResourceLimits();
        string? containerId = null;
        try
        {
            if (await engine.EnsureImageAsync(spec.Image, spec.Pull, spec.Registry, log: null, cancellationToken) is { } missing)
            {
                return ExecutorResult.Failed(missing);
            }

            var created = await _docker.Containers.CreateContainerAsync(new CreateContainerParameters
            {
                Image = spec.Image,
                Cmd = ["sh", "-c", context.Script],
                Env = context.Environment.Select(e => $"{e.Key}={e.Value}").ToList(),
                WorkingDir = WorkspacePath,
                AttachStdout = true,
                AttachStderr = true,
                Labels = new Dictionary<string, string> { ["farm.attempt"] = context.Offer.AttemptId },
                HostConfig = new HostConfig
                {
                    Binds = context.OutputFolder is null
                        ? [$"{context.Workspace}:{WorkspacePath}"]
                        : [$"{context.Workspace}:{WorkspacePath}", $"{context.OutputFolder}:{OutputFolderPath}"],
                    NetworkMode = string.IsNullOrEmpty(spec.Network) ? engine.DefaultNetwork : spec.Network,
                    Privileged = false,
                    CapDrop = ["ALL"],
                    SecurityOpt = ["no-new-privileges"],
                    // 0 leaves a kind unlimited (memory, CPU) or at the default (pids), as before limits existed.
                    Memory = Math.Max(0, limits.MemoryBytes),
                    NanoCPUs = Math.Max(0, limits.NanoCpus),
                    PidsLimit = limits.Pids > 0 ? limits.Pids : DefaultPidsLimit,
                },
            }, cancellationToken);
            containerId = created.ID;

            // Attached before start, so not one byte of output is missed.
            using var stream = await _docker.Containers.AttachContainerAsync(containerId,
                new ContainerAttachParameters { Stream = true, Stdout = true, Stderr = true }, cancellationToken);
            await _docker.Containers.StartContainerAsync(containerId, new ContainerStartParameters(), cancellationToken);

            // The copy does not watch the attempt's token: a stopped container ends its stream, and what
            // it wrote before it stopped is still read into the log (see StopAndDrainAsync).
            var copying = CopyOutputAsync(stream, context);
            try
            {
                await copying.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await StopAndDrainAsync(containerId, context.Stop?.Grace ?? TimeSpan.Zero, copying);
                throw;
            }

            var exit = await _docker.Containers.WaitContainerAsync(containerId, cancellationToken);
            var result = ExecutorResult.FromExitCode((int)exit.StatusCode);
            if (!result.Succeeded && await WasKilledForMemoryAsync(containerId, cancellationToken))
            {
                result = result with { FailureMessage = OutOfMemory(limits.MemoryBytes) };
            }

            return result;
        }
        catch (DockerApiException e) when (!cancellationToken.IsCancellationRequested)
        {
            return ExecutorResult.Failed($"the Docker engine refused: {DockerEngine.Describe(e)}");
        }
        catch (HttpRequestException e) when (!cancellationToken.IsCancellationRequested)
        {
            return ExecutorResult.Failed($"cannot reach the Docker engine at {engine.Address}: {e.Message}");
        }
        finally
        {
            if (containerId is not null)
            {
                await RemoveAsync(containerId);
            }
        }
    }

    /// <summary>
    /// True when the kernel's OOM killer ended a process of the container. The main process then
    /// usually exits 137 (SIGKILL), but a script that outlives its killed child exits otherwise, and
    /// the memory is still the reason; so any failed exit with the engine's OOMKilled flag counts.
    /// </summary>
    private async Task<bool> WasKilledForMemoryAsync(string containerId, CancellationToken cancellationToken)
    {
        var inspected = await _docker.Containers.InspectContainerAsync(containerId, cancellationToken);
        return inspected.State?.OOMKilled == true;
    }

    /// <summary>"ran out of memory (limit 256 MiB)"; without a limit, the machine itself ran out.</summary>
    internal static string OutOfMemory(long limitBytes) => limitBytes > 0
        ? $"ran out of memory (limit {FormatBytes(limitBytes)})"
        : "ran out of memory (no limit was set: the machine itself ran out)";

    /// <summary>Bytes in the largest binary unit that keeps the figure readable: 512 KiB, 256 MiB, 1.5 GiB.</summary>
    internal static string FormatBytes(long bytes)
    {
        string[] units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
        var value = (double)bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0 ? $"{bytes} bytes" : $"{value.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture)} {units[unit]}";
    }

    private static async Task CopyOutputAsync(MultiplexedStream stream, AttemptContext context)
    {
        var stdout = context.Output.CreateWriter();
        var stderr = context.Output.CreateWriter();
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, CancellationToken.None);
            if (read.EOF)
            {
                break;
            }

            var writer = read.Target == MultiplexedStream.TargetStream.StandardError ? stderr : stdout;
            await writer.WriteAsync(buffer.AsMemory(0, read.Count));
        }

        await stdout.FlushAsync();
        await stderr.FlushAsync();
    }

    /// <summary>
    /// Stops a cancelled attempt's container (SIGTERM, <paramref name="grace"/>, SIGKILL, as
    /// <c>docker stop</c>; zero kills at once), then waits for the rest of its output, so a timed-out or
    /// stopped action's log holds every line it wrote. The wait is bounded: an engine that never ends
    /// the stream costs <see cref="DrainLimit"/>, after which the stream is closed by the caller.
    /// </summary>
    private async Task StopAndDrainAsync(string containerId, TimeSpan grace, Task copying)
    {
        try
        {
            if (grace > TimeSpan.Zero)
            {
                await _docker.Containers.StopContainerAsync(containerId,
                    new ContainerStopParameters { WaitBeforeKillSeconds = (uint)Math.Ceiling(grace.TotalSeconds) });
            }
            else
            {
                await _docker.Containers.KillContainerAsync(containerId, new ContainerKillParameters());
            }
        }
        catch (Exception e) when (e is DockerApiException or HttpRequestException)
        {
            // Already ended (409) or the engine is gone: removal still follows, and the drain is bounded.
            LogStopFailed(containerId, e.Message);
        }

        try
        {
            await copying.WaitAsync(DrainLimit);
        }
        catch (Exception e)
        {
            // Best effort: the attempt ends as cancelled whatever the stream did, with what was read.
            LogDrainFailed(containerId, e.Message);
            // The caller closes the stream, which ends the copy with an error nobody else awaits.
            _ = copying.ContinueWith(static t => t.Exception, TaskContinuationOptions.OnlyOnFaulted);
        }
    }

    /// <summary>How long a stopped container's remaining output is waited for.</summary>
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(10);

    private async Task RemoveAsync(string containerId)
    {
        try
        {
            // Not the attempt's token: a cancelled attempt still removes its container.
            await _docker.Containers.RemoveContainerAsync(containerId, new ContainerRemoveParameters { Force = true });
        }
        catch (Exception e) when (e is DockerApiException or HttpRequestException)
        {
            LogRemoveFailed(containerId, e.Message);
        }
    }

    [LoggerMessage(EventId = 2201, Level = LogLevel.Warning, Message = "Could not stop container {ContainerId}: {Reason}")]
    private partial void LogStopFailed(string containerId, string reason);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Warning, Message = "The output of stopped container {ContainerId} did not end: {Reason}")]
    private partial void LogDrainFailed(string containerId, string reason);

    [LoggerMessage(EventId = 2200, Level = LogLevel.Warning, Message = "Could not remove container {ContainerId}: {Reason}")]
    private partial void LogRemoveFailed(string containerId, string reason);
}
