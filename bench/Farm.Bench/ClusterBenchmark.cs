using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Farm.Api.V1;
using Grpc.Core;

namespace Farm.Bench;

/// <summary>
/// The cluster suite, against PostgreSQL and Redis that bench/run.sh starts: executions per second
/// of one controller and of a 3-controller cluster on the same store, with simulated agents spread
/// over the controllers; then, in the cluster, the time from SIGKILL of the controller that hosts the
/// dispatcher to the first offer of a new execution through a survivor, over several rounds (the
/// killed one restarted between rounds).
/// </summary>
public static class ClusterBenchmark
{
    private const string Label = "bench-cluster";
    private const string Pipeline = "bench-cluster";
    private const int Actions = 10;

    public static async Task RunAsync(BenchOptions options, MachineInfo machine, CancellationToken cancellationToken)
    {
        var postgres = Required("FARM_BENCH_POSTGRES");
        var redis = Required("FARM_BENCH_REDIS");
        var date = DateTimeOffset.UtcNow;
        var loadBefore = Benchmark.Load();
        var agents = options.Agents?[0] ?? 30;
        var throughput = new List<string>();
        var failovers = new List<(TimeSpan Start, TimeSpan Offer)>();
        foreach (var controllers in new[] { 1, 3 })
        {
            var root = Directory.CreateTempSubdirectory("farm-bench-cluster-").FullName;
            var logsDir = Path.Combine(options.LogsDir ?? Path.Combine(root, "logs"), $"cluster-{controllers}");
            try
            {
                await using var farm = await FarmProcesses.StartClusterAsync(root, logsDir, controllers, postgres, redis, cancellationToken);
                var offers = new ConcurrentQueue<(string ExecutionId, long At)>();
                await using var fleet = await AgentFleet.StartAsync(farm, "c", agents, Label, cancellationToken,
                    offer => offers.Enqueue((offer.ExecutionId, Stopwatch.GetTimestamp())), reconnect: true);
                var client = new Executions.ExecutionsClient(farm.Invoker);
                await new Pipelines.PipelinesClient(farm.Invoker).ApplyPipelineAsync(new ApplyPipelineRequest { Definition = Definition() }, cancellationToken: cancellationToken);
                Benchmark.Log($"{controllers} controller(s), {agents} simulated agents: warm-up, {options.Executions} executions");
                await RunExecutionsAsync(client, options.Executions, cancellationToken);
                var clock = Stopwatch.StartNew();
                await RunExecutionsAsync(client, options.Executions, cancellationToken);
                var wall = clock.Elapsed;
                Benchmark.Log($"{controllers} controller(s): {options.Executions / wall.TotalSeconds:0.0} executions/s");
                throughput.Add($"| {controllers} | {agents} ({agents * SimulatedAgent.Slots}) | {options.Executions} × {Actions} | {wall.TotalSeconds:0.00} " +
                    $"| {options.Executions / wall.TotalSeconds:0.00} | {options.Executions * Actions / wall.TotalSeconds:0.0} |");
                if (controllers > 1)
                {
                    for (var round = 0; round < 3; round++)
                    {
                        failovers.Add(await FailoverAsync(farm, client, offers, cancellationToken));
                    }
                }
            }
            finally
            {
                Benchmark.TryDelete(root);
            }
        }

        var md = new StringBuilder();
        md.AppendLine($"### Cluster: run of {date.UtcDateTime:yyyy-MM-dd HH:mm} UTC");
        md.AppendLine();
        md.AppendLine($"- Command: `{Benchmark.Command(options)}`");
        md.AppendLine($"- Farm: {SourceRevision.Describe()}, Release build; store PostgreSQL (Debian's, fsync off, on this machine), membership Redis; SiloProbeTimeout 1 s");
        md.AppendLine($"- Machine: {machine.Description}");
        md.AppendLine($"- Load average (1 min): {loadBefore} before, {Benchmark.Load()} after");
        md.AppendLine($"- Simulated agents as in the throughput suite (no containers, no logs), their channels listing a different controller first so sessions spread over the silos. " +
            $"Pipeline: one stage of {Actions} parallel shell actions, `executionMode: parallel`; {options.Executions} executions started at once, after as many unmeasured.");
        md.AppendLine();
        md.AppendLine("| controllers | agents (slots) | executions × actions | wall s | executions/s | actions/s |");
        md.AppendLine("|---:|---:|---:|---:|---:|---:|");
        throughput.ForEach(row => md.AppendLine(row));
        md.AppendLine();
        md.AppendLine("Failover, 3 controllers: each round kills (SIGKILL) the controller whose /metrics shows the dispatcher's gauges, then at once starts an execution " +
            "through the survivors, retrying every 50 ms until one accepts it, and waits for its first offer at a simulated agent. The killed controller is restarted " +
            "and rejoins before the next round.");
        md.AppendLine();
        md.AppendLine("| round | kill → execution accepted s | kill → first offer through a survivor s |");
        md.AppendLine("|---:|---:|---:|");
        for (var i = 0; i < failovers.Count; i++)
        {
            md.AppendLine($"| {i + 1} | {failovers[i].Start.TotalSeconds:0.00} | {failovers[i].Offer.TotalSeconds:0.00} |");
        }

        var markdown = md.ToString();
        Console.WriteLine(markdown);
        if (options.DocsPath is { } docs)
        {
            DocsSection.Write(docs, "cluster", markdown);
            Benchmark.Log($"wrote the cluster results into {docs}");
        }
    }

    private static async Task<(TimeSpan Start, TimeSpan Offer)> FailoverAsync(
        FarmProcesses farm, Executions.ExecutionsClient client, ConcurrentQueue<(string ExecutionId, long At)> offers, CancellationToken cancellationToken)
    {
        var victim = await DispatcherHostAsync(farm, cancellationToken);
        Benchmark.Log($"killing controller {victim}, which hosts the dispatcher");
        await farm.KillControllerAsync(victim);
        var killedAt = Stopwatch.GetTimestamp();
        string? executionId = null;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromMinutes(2));
        while (executionId is null)
        {
            try
            {
                executionId = (await client.StartExecutionAsync(new StartExecutionRequest { Pipeline = Pipeline },
                    deadline: DateTime.UtcNow.AddSeconds(5), cancellationToken: deadline.Token)).ExecutionId;
            }
            catch (RpcException e) when (e.StatusCode is not StatusCode.Cancelled and not StatusCode.PermissionDenied and not StatusCode.InvalidArgument)
            {
                await Task.Delay(50, deadline.Token);
            }
        }

        var accepted = Stopwatch.GetElapsedTime(killedAt);
        while (!offers.Any(o => o.ExecutionId == executionId))
        {
            await Task.Delay(5, deadline.Token);
        }

        var offered = TimeSpan.FromTicks((offers.First(o => o.ExecutionId == executionId).At - killedAt) * TimeSpan.TicksPerSecond / Stopwatch.Frequency);
        Benchmark.Log($"execution {executionId} accepted {accepted.TotalSeconds:0.00} s and offered {offered.TotalSeconds:0.00} s after the kill");
        await FollowAsync(client, executionId, deadline.Token);
        // It answers once its silo has joined the cluster again.
        await farm.RestartControllerAsync(victim, cancellationToken);
        return (accepted, offered);
    }

    /// <summary>The controller whose scrape shows the dispatcher's gauges (only the silo hosting it reports them).</summary>
    private static async Task<int> DispatcherHostAsync(FarmProcesses farm, CancellationToken cancellationToken)
    {
        using var http = new HttpClient();
        for (var attempt = 0; attempt < 100; attempt++)
        {
            for (var i = 0; i < farm.Addresses.Count; i++)
            {
                var text = await http.GetStringAsync(farm.MetricsAddress(i), cancellationToken);
                if (text.Contains("\nfarm_agents_online{", StringComparison.Ordinal) || text.StartsWith("farm_agents_online{", StringComparison.Ordinal))
                {
                    return i;
                }
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new BenchException("No controller reports the dispatcher's gauges on /metrics.");
    }

    private static string Required(string variable) => Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
        ? value
        : throw new BenchException($"{variable} is not set: run bench/run.sh --suite cluster, which starts PostgreSQL and Redis.");

    private static string Definition()
    {
        var yaml = new StringBuilder($"name: {Pipeline}\nexecutionMode: parallel\nstages:\n  - name: work\n    actions:\n");
        for (var i = 1; i <= Actions; i++)
        {
            yaml.Append($"      - name: a{i:00}\n        type: shell\n        runsOn: [{Label}]\n        commands: [\"true\"]\n");
        }

        return yaml.ToString();
    }

    private static async Task RunExecutionsAsync(Executions.ExecutionsClient client, int count, CancellationToken cancellationToken)
    {
        var started = await Task.WhenAll(Enumerable.Range(0, count).Select(_ =>
            client.StartExecutionAsync(new StartExecutionRequest { Pipeline = Pipeline }, cancellationToken: cancellationToken).ResponseAsync));
        await Task.WhenAll(started.Select(s => FollowAsync(client, s.ExecutionId, cancellationToken)));
    }

    /// <summary>Polls the execution until it finished; fails unless it succeeded within 5 minutes.</summary>
    private static async Task FollowAsync(Executions.ExecutionsClient client, string executionId, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(5))
        {
            try
            {
                var state = await client.GetExecutionAsync(new GetExecutionRequest { ExecutionId = executionId }, cancellationToken: cancellationToken);
                if (state.Status is ExecutionStatus.Succeeded)
                {
                    return;
                }

                if (state.Status is ExecutionStatus.Failed or ExecutionStatus.Stopped or ExecutionStatus.Superseded)
                {
                    throw new BenchException($"Execution {executionId} ended {state.Status}: {state.Message}");
                }
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown)
            {
                // A controller died under the call; the channel moves to a survivor.
            }

            await Task.Delay(50, cancellationToken);
        }

        throw new BenchException($"Execution {executionId} did not finish within 5 minutes.");
    }
}
