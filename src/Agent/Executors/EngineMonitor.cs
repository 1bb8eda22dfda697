using System.Net.Sockets;
using Docker.DotNet;
using Docker.DotNet.Models;
using Farm.Agent.Hosting;
using Farm.Api.V1;
using Microsoft.Extensions.Options;

namespace Farm.Agent.Executors;

/// <summary>
/// Checks the agent's Docker engine at start and whenever it may have changed, and holds what the
/// latest check found (<see cref="Current"/>), which the session sends to the controller in hello and
/// heartbeats. An engine that answered is pinged every <see cref="AgentOptions.EngineCheckInterval"/>;
/// one that did not, or that stopped answering, gets the whole preflight again (reachable, the
/// socket's permission, API version, the default network, creating a container) until it passes.
/// Each problem is one sentence naming its cause and what to do, logged once when it appears.
/// Concurrency: one loop writes <see cref="Current"/>; readers on any thread see a whole status.
/// </summary>
public sealed partial class EngineMonitor(DockerEngine engine, IOptions<AgentOptions> options, TimeProvider time, ILogger<EngineMonitor> logger)
    : BackgroundService
{
    /// <summary>The oldest Engine API the executors are tested against (Docker 20.10).</summary>
    public static readonly System.Version MinimumApiVersion = new(1, 41);

    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);

    private readonly TaskCompletionSource _firstCheck = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private EngineStatus _current = Unavailable(["the Docker engine has not been checked yet"], "");

    /// <summary>The engine as the latest check found it.</summary>
    public EngineStatus Current => Volatile.Read(ref _current);

    /// <summary>Completes when <see cref="Current"/> next changes.</summary>
    public Task Changed => Volatile.Read(ref _changed).Task;

    /// <summary>Waits for the check at start (bounded by the calls' own timeouts), so hello says what it found.</summary>
    public async Task WaitForFirstCheckAsync(CancellationToken cancellationToken) =>
        await _firstCheck.Task.WaitAsync(cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var status = Current.Available ? await PingAsync(stoppingToken) : await PreflightAsync(stoppingToken);
                Publish(status);
                _firstCheck.TrySetResult();
                await Task.Delay(options.Value.EngineCheckInterval, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The agent stops.
        }
        finally
        {
            _firstCheck.TrySetResult();
        }
    }

    /// <summary>Every check, in order; the first that fails ends it, since the later ones need the earlier.</summary>
    public async Task<EngineStatus> PreflightAsync(CancellationToken cancellationToken)
    {
        var address = engine.Address;
        VersionResponse version;
        try
        {
            version = await WithTimeout(c => engine.Client.System.GetVersionAsync(c), cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            return Unavailable([Unreachable(address, e)], "");
        }

        var described = $"{version.Version} (API {version.APIVersion})";
        if (!System.Version.TryParse(version.APIVersion, out var api) || api < MinimumApiVersion)
        {
            return Unavailable([$"the Docker engine at {address} speaks Engine API {version.APIVersion} (Docker {version.Version}); " +
                $"Farm needs API {MinimumApiVersion} (Docker 20.10) or newer: upgrade the engine."], described);
        }

        var problems = new List<string>();
        var network = options.Value.DefaultNetwork;
        try
        {
            await WithTimeout(c => engine.Client.Networks.InspectNetworkAsync(network, c), cancellationToken);
        }
        catch (DockerNetworkNotFoundException)
        {
            problems.Add($"{AgentOptions.Section}:DefaultNetwork is '{network}', but the engine at {address} has no such network " +
                "(an engine started with --bridge=none has only 'none' and 'host'): set it to a network the engine has, such as none.");
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            problems.Add($"the Docker engine at {address} did not describe network '{network}': {Message(e)}");
        }

        if (problems.Count == 0 && await CreateProblemAsync(cancellationToken) is { } refused)
        {
            problems.Add(refused);
        }

        return problems.Count == 0 ? new EngineStatus { Available = true, Version = described } : Unavailable(problems, described);
    }

    /// <summary>
    /// Creates (never starts) and removes a container from an image the engine already has, which
    /// proves the engine takes containers from this agent. With no image at all there is nothing to
    /// create from, and the check passes: the first action pulls its image.
    /// </summary>
    private async Task<string?> CreateProblemAsync(CancellationToken cancellationToken)
    {
        string? id = null;
        try
        {
            var images = await WithTimeout(c => engine.Client.Images.ListImagesAsync(new ImagesListParameters(), c), cancellationToken);
            if (images.FirstOrDefault(i => i.RepoTags is { Count: > 0 }) is not { } image)
            {
                return null;
            }

            var created = await WithTimeout(c => engine.Client.Containers.CreateContainerAsync(new CreateContainerParameters
            {
                Image = image.ID,
                Cmd = ["true"],
                Labels = new Dictionary<string, string> { ["farm.preflight"] = options.Value.AgentId },
                HostConfig = new HostConfig { NetworkMode = "none" },
            }, c), cancellationToken);
            id = created.ID;
            return null;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            return $"the Docker engine at {engine.Address} refused to create a container: {Message(e)}";
        }
        finally
        {
            if (id is not null)
            {
                try
                {
                    await engine.Client.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true }, CancellationToken.None);
                }
                catch (Exception e) when (e is DockerApiException or HttpRequestException or IOException or TimeoutException)
                {
                    LogPreflightLeftover(id, Message(e));
                }
            }
        }
    }

    private async Task<EngineStatus> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            await WithTimeout(c => engine.Client.System.PingAsync(c), cancellationToken);
            return Current;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            return Unavailable([Unreachable(engine.Address, e)], "");
        }
    }

    private void Publish(EngineStatus status)
    {
        var before = Current;
        if (before.Equals(status))
        {
            return;
        }

        Volatile.Write(ref _current, status);
        if (status.Available)
        {
            LogAvailable(engine.Address, status.Version);
        }
        else
        {
            foreach (var problem in status.Problems.Except(before.Problems))
            {
                LogProblem(problem);
            }
        }

        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <summary>Why the engine at <paramref name="address"/> did not answer, in a sentence with what to do.</summary>
    public static string Unreachable(string address, Exception e)
    {
        var socket = FindSocketError(e);
        var path = address.StartsWith("unix://", StringComparison.Ordinal) ? new Uri(address).LocalPath : null;
        return socket switch
        {
            SocketError.AccessDenied => $"this agent's user ({Environment.UserName}) may not open the Docker engine's socket {path ?? address}: " +
                "add the user to the socket's group (usually docker: usermod -aG docker USER, then restart the agent), or run the agent as a user that may.",
            SocketError.AddressNotAvailable when path is not null =>
                $"no Docker engine socket exists at {path}: start the engine, or set {DockerHostValidation.Setting} to the socket it listens on.",
            SocketError.ConnectionRefused => path is not null
                ? $"the socket {path} exists but no Docker engine accepts connections on it: start the engine (or restart it, if it crashed)."
                : $"nothing accepts connections at {address}: start the Docker engine, or set {DockerHostValidation.Setting} to where it listens.",
            _ when e is TimeoutException or TaskCanceledException =>
                $"the Docker engine at {address} did not answer within {CallTimeout.TotalSeconds:0} s: check that it runs and is not overloaded.",
            _ => $"the Docker engine at {address} could not be reached: {Message(e)}",
        };
    }

    private static SocketError? FindSocketError(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            if (x is SocketException s)
            {
                return s.SocketErrorCode;
            }
        }

        return null;
    }

    private static string Message(Exception e) => e is DockerApiException api ? DockerEngine.Describe(api) : e.Message;

    private static EngineStatus Unavailable(IEnumerable<string> problems, string version)
    {
        var status = new EngineStatus { Available = false, Version = version };
        status.Problems.Add(problems);
        return status;
    }

    private static async Task<T> WithTimeout<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CallTimeout);
        try
        {
            return await call(timeout.Token);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"no answer within {CallTimeout.TotalSeconds:0} s", e);
        }
    }

    private static Task<bool> WithTimeout(Func<CancellationToken, Task> call, CancellationToken cancellationToken) =>
        WithTimeout(async c =>
        {
            await call(c);
            return true;
        }, cancellationToken);

    [LoggerMessage(EventId = 2600, Level = LogLevel.Information, Message = "Docker engine at {Address} is available: {Version}; container actions can run here")]
    private partial void LogAvailable(string address, string version);

    [LoggerMessage(EventId = 2601, Level = LogLevel.Warning, Message = "Container actions unavailable: {Problem}")]
    private partial void LogProblem(string problem);

    [LoggerMessage(EventId = 2602, Level = LogLevel.Warning, Message = "The engine check left container {ContainerId} behind: {Reason}")]
    private partial void LogPreflightLeftover(string containerId, string reason);
}
