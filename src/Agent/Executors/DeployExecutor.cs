using System.Collections.Concurrent;
using System.Diagnostics;
using Docker.DotNet;
using Docker.DotNet.Models;
using Farm.Agent.Logs;
using Farm.Api.V1;

namespace Farm.Agent.Executors;

/// <summary>
/// Replaces the service container <c>farm-ENVIRONMENT-SERVICE</c> on this agent with one of the
/// action's image, and keeps the old one until the new one is healthy.
/// </summary>
/// <remarks>
/// Order: the image is made present first, so a missing image fails before the running version is
/// touched. Then the running version is stopped (not removed) and renamed <c>…-previous</c>, since
/// both usually want the same host port; the new one is created and started under the service's
/// name and probed. Healthy: the previous container is removed. Not healthy within the timeout, or
/// exited: the new one is removed and the previous one renamed back and started again, and the
/// action fails with the probe's last answer. A deploy interrupted between the two (agent killed)
/// leaves <c>…-previous</c>, which the next deploy takes as the running version. Two deploys of one
/// service on one agent never overlap: the second waits for the first.
/// Outputs: <c>container</c>, <c>image</c>, <c>imageId</c>, <c>digest</c> (the registry digest when
/// known, else the image id) and <c>previousImage</c>.
/// </remarks>
public sealed class DeployExecutor(DockerEngine engine) : IActionExecutor, IDisposable
{
    private const string PreviousSuffix = "-previous";
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);
    private const int MaxAnswerChars = 300;

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _services = new(StringComparer.Ordinal);
    private readonly HttpClient _probes = new() { Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>The container name of a service in an environment.</summary>
    public static string ContainerName(ServiceDeploy deploy) => $"farm-{deploy.Environment}-{deploy.Service}";

    public async Task<ExecutorResult> RunAsync(AttemptContext context, CancellationToken cancellationToken)
    {
        var spec = context.Offer.Spec;
        var deploy = spec.Deploy ?? throw new InvalidOperationException("a container-deploy offer without deploy settings");
        var name = ContainerName(deploy);
        var log = context.Output.CreateWriter();
        var gate = _services.GetOrAdd(name, _ => new SemaphoreSlim(1, 1));
        if (!await gate.WaitAsync(0, cancellationToken))
        {
            await log.WriteLineAsync($"waiting: another deploy of {deploy.Environment}/{deploy.Service} runs on this agent");
            await gate.WaitAsync(cancellationToken);
        }

        try
        {
            return await ReplaceAsync(context, deploy, name, log, cancellationToken);
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
            await log.FlushAsync();
            gate.Release();
        }
    }

    private async Task<ExecutorResult> ReplaceAsync(AttemptContext context, ServiceDeploy deploy, string name, SpoolWriter log, CancellationToken cancellationToken)
    {
        var spec = context.Offer.Spec;
        if (await engine.EnsureImageAsync(spec.Image, spec.Pull, spec.Registry, log, cancellationToken) is { } missing)
        {
            return ExecutorResult.Failed($"{missing}; the running version was not touched");
        }

        var image = await engine.Client.Images.InspectImageAsync(spec.Image, cancellationToken);
        var previousName = name + PreviousSuffix;
        var current = await FindAsync(name, cancellationToken);
        var leftover = await FindAsync(previousName, cancellationToken);
        if (current is null && leftover is not null)
        {
            await log.WriteLineAsync($"found {previousName} from an interrupted deploy: it is the running version");
            await engine.Client.Containers.RenameContainerAsync(leftover.ID, new ContainerRenameParameters { NewName = name }, cancellationToken);
            current = leftover;
        }
        else if (leftover is not null)
        {
            await RemoveAsync(leftover.ID);
        }

        if (current is not null)
        {
            await log.WriteLineAsync($"stopping the running version: {current.Config?.Image} (container {Short(current.ID)})");
            await engine.Client.Containers.StopContainerAsync(current.ID,
                new ContainerStopParameters { WaitBeforeKillSeconds = (uint)StopGrace.TotalSeconds }, cancellationToken);
            await engine.Client.Containers.RenameContainerAsync(current.ID, new ContainerRenameParameters { NewName = previousName }, cancellationToken);
        }

        string? newId = null;
        try
        {
            newId = (await engine.Client.Containers.CreateContainerAsync(CreateParameters(context, deploy, name), cancellationToken)).ID;
            await engine.Client.Containers.StartContainerAsync(newId, new ContainerStartParameters(), cancellationToken);
            await log.WriteLineAsync($"started {name} from {spec.Image} (container {Short(newId)}); waiting until it is healthy");
            var started = Stopwatch.StartNew();
            var unhealthy = await WaitHealthyAsync(newId, deploy, image, log, cancellationToken);
            if (unhealthy is null)
            {
                await log.WriteLineAsync($"healthy after {started.Elapsed.TotalSeconds:0.0} s");
                if (current is not null)
                {
                    await RemoveAsync(current.ID);
                    await log.WriteLineAsync($"removed the previous version ({current.Config?.Image})");
                }

                return ExecutorResult.Done(new Dictionary<string, string>
                {
                    ["container"] = newId,
                    ["image"] = spec.Image,
                    ["imageId"] = image.ID,
                    ["digest"] = Digest(spec.Image, image),
                    ["previousImage"] = current?.Config?.Image ?? "",
                });
            }

            await log.WriteLineAsync($"not healthy: {unhealthy}");
            await RestoreAsync(newId, current, name, log);
            var restored = current is null ? "there was no previous version to restore" : $"the previous version ({current.Config?.Image}) was restored";
            return ExecutorResult.Failed($"the new version did not become healthy: {unhealthy}; {restored}");
        }
        catch (Exception e) when (e is OperationCanceledException or DockerApiException or HttpRequestException)
        {
            // Stopped, timed out or refused halfway: the previous version goes back before the failure is reported.
            await RestoreAsync(newId, current, name, log);
            throw;
        }
    }

    private CreateContainerParameters CreateParameters(AttemptContext context, ServiceDeploy deploy, string name)
    {
        var spec = context.Offer.Spec;
        var env = new Dictionary<string, string>(spec.Env)
        {
            ["FARM_ENVIRONMENT"] = deploy.Environment,
            ["FARM_SERVICE"] = deploy.Service,
            ["FARM_EXECUTION_ID"] = context.Offer.ExecutionId,
        };
        var bindings = new Dictionary<string, IList<PortBinding>>();
        foreach (var port in deploy.Ports)
        {
            var (hostIp, hostPort, containerPort) = ParsePort(port);
            if (!bindings.TryGetValue(containerPort, out var list))
            {
                bindings[containerPort] = list = [];
            }

            list.Add(new PortBinding { HostIP = hostIp, HostPort = hostPort });
        }

        var limits = spec.Resources ?? new ResourceLimits();
        return new CreateContainerParameters
        {
            Name = name,
            Image = spec.Image,
            Env = env.Select(e => $"{e.Key}={e.Value}").ToList(),
            ExposedPorts = bindings.Keys.ToDictionary(k => k, _ => new EmptyStruct()),
            Labels = new Dictionary<string, string>
            {
                ["farm.environment"] = deploy.Environment,
                ["farm.service"] = deploy.Service,
                ["farm.execution"] = context.Offer.ExecutionId,
                ["farm.attempt"] = context.Offer.AttemptId,
            },
            HostConfig = new HostConfig
            {
                NetworkMode = string.IsNullOrEmpty(spec.Network) ? engine.DefaultNetwork : spec.Network,
                PortBindings = bindings,
                Binds = deploy.Volumes.ToList(),
                RestartPolicy = new RestartPolicy { Name = RestartKind(deploy.Restart) },
                // Docker's init as PID 1 passes SIGTERM on: a server that is PID 1 itself ignores it,
                // and every replacement would wait out the whole stop grace.
                Init = true,
                Privileged = false,
                // A service may need a low port, which is all it keeps of root's powers.
                CapDrop = ["ALL"],
                CapAdd = ["NET_BIND_SERVICE"],
                SecurityOpt = ["no-new-privileges"],
                Memory = Math.Max(0, limits.MemoryBytes),
                NanoCPUs = Math.Max(0, limits.NanoCpus),
                PidsLimit = limits.Pids > 0 ? limits.Pids : ContainerExecutor.DefaultPidsLimit,
            },
        };
    }

    /// <summary>Null once the container is healthy; otherwise the last answer of its probe, when the timeout ran out or it exited.</summary>
    private async Task<string?> WaitHealthyAsync(string id, ServiceDeploy deploy, ImageInspectResponse image, SpoolWriter log, CancellationToken cancellationToken)
    {
        var timeout = TimeSpan.FromMilliseconds(deploy.HealthTimeoutMs);
        var interval = TimeSpan.FromMilliseconds(deploy.HealthIntervalMs);
        var imageCheck = image.Config?.Healthcheck?.Test is { Count: > 0 } test && test[0] != "NONE";
        var elapsed = Stopwatch.StartNew();
        var last = "no probe has answered yet";
        while (true)
        {
            var state = (await engine.Client.Containers.InspectContainerAsync(id, cancellationToken)).State;
            if (state is null)
            {
                return "the engine reported no state for the new container";
            }

            if (!state.Running && !state.Restarting)
            {
                await CopyTailAsync(id, log, cancellationToken);
                return $"the container exited with code {state.ExitCode}{(string.IsNullOrEmpty(state.Error) ? "" : $" ({state.Error})")}";
            }

            bool healthy;
            if (deploy.HealthHttp.Length > 0)
            {
                (healthy, last) = await ProbeHttpAsync(deploy.HealthHttp, cancellationToken);
            }
            else if (deploy.HealthCommand.Length > 0)
            {
                (healthy, last) = await ProbeCommandAsync(id, deploy.HealthCommand, cancellationToken);
            }
            else if (imageCheck)
            {
                var status = state.Health?.Status ?? "starting";
                var output = state.Health?.Log?.LastOrDefault()?.Output?.Trim();
                last = $"the image's HEALTHCHECK says {status}{(string.IsNullOrEmpty(output) ? "" : $": {Shorten(output)}")}";
                if (status == "unhealthy")
                {
                    return last;
                }

                healthy = status == "healthy";
            }
            else
            {
                // No probe at all: still running one interval after the start is all that can be known.
                healthy = elapsed.Elapsed >= interval;
                last = "the container is running (no health check set)";
            }

            if (healthy)
            {
                return null;
            }

            if (elapsed.Elapsed >= timeout)
            {
                return $"{last} (after {timeout.TotalSeconds:0.#} s)";
            }

            await Task.Delay(interval, cancellationToken);
        }
    }

    private async Task<(bool Healthy, string Answer)> ProbeHttpAsync(string url, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _probes.GetAsync(url, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var answer = $"GET {url} answered {(int)response.StatusCode} {response.ReasonPhrase}{(body.Length == 0 ? "" : $": {Shorten(body)}")}";
            return (response.IsSuccessStatusCode, answer);
        }
        catch (HttpRequestException e)
        {
            return (false, $"GET {url} failed: {e.Message}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (false, $"GET {url} did not answer within {_probes.Timeout.TotalSeconds:0} s");
        }
    }

    private async Task<(bool Healthy, string Answer)> ProbeCommandAsync(string id, string command, CancellationToken cancellationToken)
    {
        var exec = await engine.Client.Exec.CreateContainerExecAsync(id, new ContainerExecCreateParameters
        {
            Cmd = ["sh", "-c", command],
            AttachStdout = true,
            AttachStderr = true,
        }, cancellationToken);
        using var stream = await engine.Client.Exec.StartContainerExecAsync(exec.ID, new ContainerExecStartParameters(), cancellationToken);
        var (stdout, stderr) = await stream.ReadOutputToEndAsync(cancellationToken);
        var inspected = await engine.Client.Exec.InspectContainerExecAsync(exec.ID, cancellationToken);
        var output = (stdout + stderr).Trim();
        return (inspected.ExitCode == 0, $"'{command}' exited with code {inspected.ExitCode}{(output.Length == 0 ? "" : $": {Shorten(output)}")}");
    }

    /// <summary>Removes the failed new container and puts the previous version back under the service's name. Never throws.</summary>
    private async Task RestoreAsync(string? newId, ContainerInspectResponse? previous, string name, SpoolWriter log)
    {
        if (newId is not null)
        {
            await RemoveAsync(newId);
        }

        if (previous is null)
        {
            return;
        }

        try
        {
            await engine.Client.Containers.RenameContainerAsync(previous.ID, new ContainerRenameParameters { NewName = name }, CancellationToken.None);
            await engine.Client.Containers.StartContainerAsync(previous.ID, new ContainerStartParameters());
            await log.WriteLineAsync($"restored the previous version: {previous.Config?.Image} (container {Short(previous.ID)})");
        }
        catch (Exception e) when (e is DockerApiException or HttpRequestException)
        {
            await log.WriteLineAsync($"could not restore the previous version (container {Short(previous.ID)}): {e.Message}");
        }
    }

    private async Task<ContainerInspectResponse?> FindAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            return await engine.Client.Containers.InspectContainerAsync(name, cancellationToken);
        }
        catch (DockerContainerNotFoundException)
        {
            return null;
        }
    }

    private async Task RemoveAsync(string id)
    {
        try
        {
            await engine.Client.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true });
        }
        catch (DockerContainerNotFoundException)
        {
        }
    }

    private async Task CopyTailAsync(string id, SpoolWriter log, CancellationToken cancellationToken)
    {
        using var stream = await engine.Client.Containers.GetContainerLogsAsync(id,
            new ContainerLogsParameters { ShowStdout = true, ShowStderr = true, Tail = "20" }, cancellationToken);
        var (stdout, stderr) = await stream.ReadOutputToEndAsync(cancellationToken);
        var tail = (stdout + stderr).TrimEnd();
        if (tail.Length > 0)
        {
            await log.WriteLineAsync("last lines of the new container:");
            await log.WriteLineAsync(tail);
        }
    }

    /// <summary>The registry digest: from a <c>@sha256:</c> reference, else the engine's record of where the image came from, else the image id.</summary>
    private static string Digest(string reference, ImageInspectResponse image)
    {
        var at = reference.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            return reference[(at + 1)..];
        }

        var recorded = image.RepoDigests?.FirstOrDefault();
        return recorded is null ? image.ID : recorded[(recorded.IndexOf('@', StringComparison.Ordinal) + 1)..];
    }

    /// <summary><c>[ip:]host:container[/proto]</c> as validated by the parser → (ip, host port, <c>container/proto</c>).</summary>
    internal static (string HostIp, string HostPort, string ContainerPort) ParsePort(string port)
    {
        var slash = port.IndexOf('/', StringComparison.Ordinal);
        var protocol = slash < 0 ? "tcp" : port[(slash + 1)..];
        var parts = (slash < 0 ? port : port[..slash]).Split(':');
        var ip = parts.Length > 2 ? string.Join(':', parts[..^2]).Trim('[', ']') : "";
        return (ip, parts[^2], $"{parts[^1]}/{protocol}");
    }

    private static RestartPolicyKind RestartKind(string restart) => restart switch
    {
        "always" => RestartPolicyKind.Always,
        "on-failure" => RestartPolicyKind.OnFailure,
        "no" => RestartPolicyKind.No,
        _ => RestartPolicyKind.UnlessStopped,
    };

    private static string Short(string id) => id.Length > 12 ? id[..12] : id;

    private static string Shorten(string text)
    {
        var line = text.ReplaceLineEndings(" ").Trim();
        return line.Length <= MaxAnswerChars ? line : line[..MaxAnswerChars] + "…";
    }

    public void Dispose()
    {
        _probes.Dispose();
        foreach (var gate in _services.Values)
        {
            gate.Dispose();
        }
    }
}
