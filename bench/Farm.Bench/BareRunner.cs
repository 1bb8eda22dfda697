using Docker.DotNet;
using Docker.DotNet.Models;

namespace Farm.Bench;

/// <summary>
/// The baseline: the harness itself creates, starts, waits for and removes a container of the same
/// image, command and host settings as Farm's agent (src/Agent/Executors/ContainerExecutor.cs), with
/// nothing in between, timed from just before the create call.
/// </summary>
public sealed class BareRunner(DockerClient docker, EngineEvents events, string image, string root)
{
    private int _runs;

    public async Task<BareSample> RunAsync(CancellationToken cancellationToken)
    {
        // An empty workspace per run, as the agent makes one per attempt.
        var workspace = Directory.CreateDirectory(Path.Combine(root, "bare", $"run-{++_runs:000}")).FullName;
        string? containerId = null;
        try
        {
            var decided = DateTimeOffset.UtcNow;
            var created = await docker.Containers.CreateContainerAsync(new CreateContainerParameters
            {
                Image = image,
                // The agent's script for commands ["true"] (AttemptContext.Script).
                Cmd = ["sh", "-c", "set -e\ntrue\n"],
                WorkingDir = "/workspace",
                AttachStdout = true,
                AttachStderr = true,
                Labels = new Dictionary<string, string> { ["farm.bench"] = "bare" },
                HostConfig = new HostConfig
                {
                    Binds = [$"{workspace}:/workspace"],
                    NetworkMode = "none",
                    Privileged = false,
                    CapDrop = ["ALL"],
                    SecurityOpt = ["no-new-privileges"],
                    PidsLimit = 4096,
                },
            }, cancellationToken);
            containerId = created.ID;
            await docker.Containers.StartContainerAsync(containerId, new ContainerStartParameters(), cancellationToken);
            var exit = await docker.Containers.WaitContainerAsync(containerId, cancellationToken);
            if (exit.StatusCode != 0)
            {
                throw new BenchException($"The bare container {containerId} exited with {exit.StatusCode}.");
            }

            await docker.Containers.RemoveContainerAsync(containerId, new ContainerRemoveParameters { Force = true }, cancellationToken);
            var removed = DateTimeOffset.UtcNow;
            var id = containerId;
            containerId = null;
            var times = await events.WaitForAsync(e => e.ById(id), $"bare container {id}", TimeSpan.FromSeconds(15), cancellationToken);
            return new BareSample(decided, times, removed);
        }
        finally
        {
            if (containerId is not null)
            {
                try
                {
                    await docker.Containers.RemoveContainerAsync(containerId, new ContainerRemoveParameters { Force = true }, CancellationToken.None);
                }
                catch (DockerApiException)
                {
                    // The failure already on its way out says more; the engine is the harness's own.
                }
            }

            Directory.Delete(workspace);
        }
    }
}
