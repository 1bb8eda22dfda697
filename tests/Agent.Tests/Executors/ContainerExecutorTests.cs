using System.Text;
using Farm.Agent.Executors;
using Farm.Agent.Hosting;
using Farm.Agent.Logs;
using Farm.Api.V1;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Farm.Agent.Tests.Executors;

/// <summary>
/// The container executor against a real Docker engine (DOCKER_HOST, which ./test.sh sets): resource
/// limits are enforced by the kernel, and a container killed for memory says so.
/// </summary>
public sealed class ContainerExecutorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("farm-container-").FullName;

    /// <summary>The image ./test.sh makes from busybox-static; no registry needed.</summary>
    internal static string Image => Environment.GetEnvironmentVariable("FARM_TEST_IMAGE") is { Length: > 0 } image ? image : "farm/busybox:latest";

    internal static string DockerHost => Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } host
        ? host
        : throw new InvalidOperationException(
            "These tests need a Docker engine: run ./test.sh, which starts one, or set DOCKER_HOST to a running engine " +
            "that has the image farm/busybox:latest (see scripts/lib.sh, farm_make_images).");

    private async Task<(ExecutorResult Result, string Log)> RunAsync(
        string dockerHost, ResourceLimits? resources, params string[] commands)
    {
        var spec = new ActionSpec { Type = "container", Image = Image, Network = "none", Commands = { commands } };
        if (resources is not null)
        {
            spec.Resources = resources;
        }

        var offer = new JobOffer { AttemptId = "p-1.1", Spec = spec };
        var workspace = Directory.CreateDirectory(Path.Combine(_dir, "ws")).FullName;
        var logPath = Path.Combine(_dir, "log");
        var options = Options.Create(new AgentOptions { DockerHost = dockerHost, WorkDir = _dir });
        using var engine = new DockerEngine(options);
        var executor = new ContainerExecutor(engine, NullLogger<ContainerExecutor>.Instance);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        ExecutorResult result;
        await using (var spool = new LogSpool(logPath))
        {
            result = await executor.RunAsync(new AttemptContext(offer, workspace, new Dictionary<string, string>(), spool), timeout.Token);
        }

        return (result, Encoding.UTF8.GetString(await File.ReadAllBytesAsync(logPath)));
    }

    [Fact]
    public async Task Container_over_its_memory_limit_fails_as_out_of_memory()
    {
        // 100 MB through tail, which holds a whole "line" (there is no newline) in memory.
        var (result, _) = await RunAsync(DockerHost, new ResourceLimits { MemoryBytes = 32L * 1024 * 1024 },
            "head -c 100000000 /dev/zero | tail >/dev/null", "echo survived");

        Assert.False(result.Succeeded);
        Assert.Equal(137, result.ExitCode);
        Assert.Equal("ran out of memory (limit 32 MiB)", result.FailureMessage);
    }

    [Fact]
    public async Task Container_within_its_memory_limit_succeeds()
    {
        var (result, log) = await RunAsync(DockerHost, new ResourceLimits { MemoryBytes = 64L * 1024 * 1024, NanoCpus = 500_000_000 },
            "head -c 1000000 /dev/zero | wc -c");

        Assert.Equal((0, null), (result.ExitCode, result.FailureMessage));
        Assert.Equal("1000000\n", log);
    }

    [Fact]
    public async Task Container_over_its_pids_limit_cannot_fork_and_fails()
    {
        // Fifty sleeping children against a limit of twenty: the shell's fork fails, and set -e ends it.
        var (result, log) = await RunAsync(DockerHost, new ResourceLimits { Pids = 20 },
            "for i in $(seq 1 50); do sleep 30 & done", "echo all forked");

        Assert.False(result.Succeeded);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("can't fork", log);
        Assert.DoesNotContain("all forked", log);
    }

    [Fact]
    public async Task Container_without_limits_keeps_the_default_pids_limit()
    {
        var (result, log) = await RunAsync(DockerHost, resources: null, "cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max");

        Assert.True(result.Succeeded, result.FailureMessage);
        Assert.Equal($"{ContainerExecutor.DefaultPidsLimit}\n", log);
    }

    [Fact]
    public async Task Unreachable_engine_fails_the_action_and_names_the_engine()
    {
        var missing = "unix://" + Path.Combine(_dir, "no-such-docker.sock");

        var (result, log) = await RunAsync(missing, resources: null, "echo never");

        Assert.False(result.Succeeded);
        Assert.Null(result.ExitCode);
        Assert.StartsWith($"cannot reach the Docker engine at {missing}: ", result.FailureMessage);
        Assert.Equal("", log);
    }

    [Theory]
    [InlineData(5, "ready\nstopping\n")]
    [InlineData(0, "ready\n")]
    public async Task Stopped_container_keeps_in_its_log_all_it_wrote_until_it_ended(int graceSeconds, string expected)
    {
        // With a grace, the script's TERM trap runs after the attempt is cancelled, and its line is read
        // from the ending stream; without one, the container is killed and the log still ends whole.
        var spec = new ActionSpec
        {
            Type = "container", Image = Image, Network = "none",
            Commands = { "trap 'echo stopping; exit 3' TERM", "echo ready", "while true; do sleep 0.1; done" },
        };
        var workspace = Directory.CreateDirectory(Path.Combine(_dir, "ws")).FullName;
        var logPath = Path.Combine(_dir, "log");
        using var engine = new DockerEngine(Options.Create(new AgentOptions { DockerHost = DockerHost, WorkDir = _dir }));
        var executor = new ContainerExecutor(engine, NullLogger<ContainerExecutor>.Instance);
        var stop = new StopRequest();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using (var spool = new LogSpool(logPath))
        {
            var context = new AttemptContext(new JobOffer { AttemptId = "p-1.1", Spec = spec }, workspace, new Dictionary<string, string>(), spool, Stop: stop);
            var running = executor.RunAsync(context, cancel.Token);
            await Eventually.Until(_ => Task.FromResult(spool.Length > 0), TimeSpan.FromSeconds(30), () => $"{spool.Length} bytes");
            stop.Grace = TimeSpan.FromSeconds(graceSeconds);
            await cancel.CancelAsync();

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        }

        Assert.Equal(expected, Encoding.UTF8.GetString(await File.ReadAllBytesAsync(logPath)));
    }

    [Theory]
    [InlineData(256L * 1024 * 1024, "ran out of memory (limit 256 MiB)")]
    [InlineData(1536L * 1024 * 1024, "ran out of memory (limit 1.5 GiB)")]
    [InlineData(0L, "ran out of memory (no limit was set: the machine itself ran out)")]
    public void Out_of_memory_message_names_the_limit(long limit, string expected) =>
        Assert.Equal(expected, ContainerExecutor.OutOfMemory(limit));

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
