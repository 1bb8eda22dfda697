using Docker.DotNet;
using Farm.Agent.Executors;

namespace Farm.Bench;

/// <summary>
/// One benchmark run: machine facts, a real controller and agent, a warm-up pipeline, the measured
/// pipeline, then the bare baseline against the same engine while the controller and agent idle, and
/// the report.
/// </summary>
public static class Benchmark
{
    public static async Task RunAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        var dockerHost = Environment.GetEnvironmentVariable("DOCKER_HOST");
        if (string.IsNullOrEmpty(dockerHost))
        {
            throw new BenchException("DOCKER_HOST is not set: run bench/run.sh, which starts a Docker engine, " +
                $"or set DOCKER_HOST to an engine that has the image {options.Image} (scripts/lib.sh, farm_make_images).");
        }

        using var docker = DockerEndpoint.Create(dockerHost);
        if (options.Suite is Suite.Cluster)
        {
            await ClusterBenchmark.RunAsync(options, await MachineInfo.ReadAsync(docker, cancellationToken), cancellationToken);
            return;
        }

        if (options.Suite is Suite.Restart)
        {
            await RestartBenchmark.RunAsync(options, await MachineInfo.ReadAsync(docker, cancellationToken), cancellationToken);
            return;
        }

        if (options.Suite is Suite.Logs)
        {
            await LogIngestBenchmark.RunAsync(options, await MachineInfo.ReadAsync(docker, cancellationToken), cancellationToken);
            return;
        }

        if (options.Suite is Suite.Latency)
        {
            await LatencyBenchmark.RunAsync(options, await MachineInfo.ReadAsync(docker, cancellationToken), cancellationToken);
            return;
        }

        if (options.Suite is not Suite.Dispatch)
        {
            // The engine is asked for its version only (the machine line); the controller never calls it.
            await FleetBenchmark.RunAsync(options, await MachineInfo.ReadAsync(docker, cancellationToken), cancellationToken);
            return;
        }

        await CheckEngineAsync(docker, dockerHost, options.Image, cancellationToken);
        var machine = await MachineInfo.ReadAsync(docker, cancellationToken);
        var date = DateTimeOffset.UtcNow;
        var loadBefore = Load();
        var revision = SourceRevision.Describe();
        var root = Directory.CreateTempSubdirectory("farm-bench-").FullName;
        var logsDir = options.LogsDir ?? Path.Combine(root, "logs");
        try
        {
            await using var events = EngineEvents.Start(docker, date.AddSeconds(-1));
            IReadOnlyList<ActionSample> farmSamples;
            var bareSamples = new List<BareSample>(options.Stages);
            await using (var farm = await FarmProcesses.StartAsync(root, logsDir, cancellationToken))
            {
                Log($"controller at {farm.Address}, agent bench-agent; logs in {logsDir}");
                var runner = new FarmRunner(farm, events, options.Image);
                var bare = new BareRunner(docker, events, options.Image, root);
                // Connects the agent (there is no API to ask whether it is), JIT-compiles both
                // processes' paths, and proves the event subscription works before anything counts.
                Log("warm-up: a 2-stage pipeline and one bare run");
                await runner.RunAsync("bench-warmup", 2, cancellationToken);
                await bare.RunAsync(cancellationToken);

                // Farm and bare runs alternate in blocks, with the controller and agent up (idle
                // during bare runs) throughout: on a shared machine a burst of someone else's load
                // then weighs on both figures alike, which one block of each, one after the other, does not.
                var farmList = new List<ActionSample>(options.Stages);
                var rounds = (options.Stages + options.Block - 1) / options.Block;
                for (var round = 0; round < rounds; round++)
                {
                    var count = Math.Min(options.Block, options.Stages - round * options.Block);
                    Log($"round {round + 1}/{rounds}: a {count}-stage pipeline, then {count} bare create+start+wait+remove");
                    farmList.AddRange(await runner.RunAsync($"bench-{count}", count, cancellationToken));
                    await RunBareAsync(bare, count, bareSamples, cancellationToken);
                }

                farmSamples = farmList;
            }

            var load = Load();
            var report = new Report(date, Command(options), options.Stages, options.Block, revision, machine, $"{loadBefore} before, {load} after", farmSamples, bareSamples);
            var markdown = report.ToMarkdown();
            Console.WriteLine(markdown);
            await File.WriteAllTextAsync(Path.Combine(logsDir, "samples.csv"), report.ToCsv(), CancellationToken.None);
            if (options.LogsDir is not null)
            {
                Log($"every sample: {Path.Combine(logsDir, "samples.csv")}");
            }

            if (options.DocsPath is { } docs)
            {
                DocsFile.Write(docs, markdown);
                Log($"wrote the results into {docs}");
            }
        }
        finally
        {
            TryDelete(root);
        }
    }

    private static async Task RunBareAsync(BareRunner bare, int count, List<BareSample> samples, CancellationToken cancellationToken)
    {
        for (var i = 0; i < count; i++)
        {
            samples.Add(await bare.RunAsync(cancellationToken));
        }
    }

    /// <summary>The 1-minute load average: other work on the machine shows in every figure.</summary>
    public static string Load()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static async Task CheckEngineAsync(DockerClient docker, string dockerHost, string image, CancellationToken cancellationToken)
    {
        try
        {
            await docker.Images.InspectImageAsync(image, cancellationToken);
        }
        catch (DockerImageNotFoundException)
        {
            throw new BenchException($"The engine at {dockerHost} has no image {image}: bench/run.sh makes it (scripts/lib.sh, farm_make_images).");
        }
        catch (HttpRequestException e)
        {
            throw new BenchException($"Cannot reach the Docker engine at DOCKER_HOST={dockerHost}: {e.Message}");
        }
    }

    /// <summary>The command as bench/run.sh was given it, or as this program was run.</summary>
    public static string Command(BenchOptions options) =>
        Environment.GetEnvironmentVariable("FARM_BENCH_COMMAND") is { Length: > 0 } command
            ? command
            : string.Join(' ', new[] { "dotnet run -c Release --project bench/Farm.Bench --" }.Concat(options.Arguments));

    public static void TryDelete(string root)
    {
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Workspaces written by containers may not be ours to delete; the temp folder is the system's to clean.
            Log($"could not delete {root}: {e.Message}");
        }
    }

    public static void Log(string message) => Console.Error.WriteLine($"[bench] {message}");
}
