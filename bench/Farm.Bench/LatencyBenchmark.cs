using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Farm.Api.V1;
using Grpc.Core;

namespace Farm.Bench;

/// <summary>
/// The latency suite: how long from an action becoming ready to the agent holding its offer (fake
/// executor: simulated agents), and to its process running (shell executor: the real agent), and
/// what a stage costs end to end, over pipelines of ten one-action stages run one execution at a time
/// so nothing queues. An action is ready at the previous stage's action's FinishedAt (the controller
/// queues the next in the same grain call that records it); each execution's first action, ready at
/// the execution's StartedAt, is left out, as it pays for a new grain.
/// </summary>
public static class LatencyBenchmark
{
    private const int Stages = 10;
    private const string Label = FleetBenchmark.Label;

    public static async Task RunAsync(BenchOptions options, MachineInfo machine, CancellationToken cancellationToken)
    {
        var date = DateTimeOffset.UtcNow;
        var loadBefore = Benchmark.Load();
        var revision = SourceRevision.Describe();
        var executions = options.Executions;
        var fake = await FakeAsync(options, executions, cancellationToken);
        var shell = await ShellAsync(options, executions, cancellationToken);

        var md = new StringBuilder();
        md.AppendLine($"### Latency: run of {date.UtcDateTime:yyyy-MM-dd HH:mm} UTC");
        md.AppendLine();
        md.AppendLine($"- Command: `{Benchmark.Command(options)}`");
        md.AppendLine($"- Farm: {revision}, Release build; controller settings all default");
        md.AppendLine($"- Machine: {machine.Description}");
        md.AppendLine($"- Load average (1 min): {loadBefore} before, {Benchmark.Load()} after");
        md.AppendLine($"- Workload: {executions} executions, one at a time, of a pipeline of {Stages} stages of one action each, after 10 unmeasured; " +
            $"{executions * (Stages - 1)} actions measured per executor (each execution's first left out)");
        md.AppendLine();
        md.AppendLine("| | n | p50 ms | p90 ms | p99 ms | max ms | mean ms |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        Row(md, "Fake executor: action ready → simulated agent holds the offer", fake.ReadyToOffer);
        Row(md, "Fake executor: stage overhead (execution wall ÷ stages; the actions take no time)", fake.StageOverhead);
        Row(md, "Shell executor: action ready → its process runs (`date +%s%N`, first command)", shell.ReadyToProcess);
        Row(md, "Shell executor: stage overhead ((execution wall − Σ commands' own time) ÷ stages)", shell.StageOverhead);
        Row(md, "Shell executor: commands' own time (last `date` − first `date`)", shell.OwnTime);
        md.AppendLine();
        md.AppendLine("Ready and FinishedAt are the controller's clock; the offer's arrival is the harness's clock and the process start the " +
            "action's own `date`, all on this host's CLOCK_REALTIME. Fake executor: 10 simulated agents in the harness's process (see Throughput) " +
            "answer each offer at once. Shell executor: the real agent (2 slots) runs `date +%s%N`, `true`, `date +%s%N`; the figures come from its log.");
        var markdown = md.ToString();
        Console.WriteLine(markdown);
        if (options.DocsPath is { } docs)
        {
            DocsSection.Write(docs, "latency", markdown);
            Benchmark.Log($"wrote the latency results into {docs}");
        }
    }

    private static void Row(StringBuilder md, string name, Summary s) =>
        md.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {s.Count} | {s.P50:0.0} | {s.P90:0.0} | {s.P99:0.0} | {s.Max:0.0} | {s.Mean:0.0} |"));

    private sealed record FakeResult(Summary ReadyToOffer, Summary StageOverhead);

    private sealed record ShellResult(Summary ReadyToProcess, Summary StageOverhead, Summary OwnTime);

    private static async Task<FakeResult> FakeAsync(BenchOptions options, int executions, CancellationToken cancellationToken)
    {
        var root = Directory.CreateTempSubdirectory("farm-bench-latency-").FullName;
        var logsDir = Path.Combine(options.LogsDir ?? Path.Combine(root, "logs"), "latency-fake");
        try
        {
            await using var farm = await FarmProcesses.StartAsync(root, logsDir, cancellationToken, withAgent: false);
            var offered = new ConcurrentDictionary<string, DateTimeOffset>();
            await using var fleet = await AgentFleet.StartAsync(farm, "lat", 10, Label, cancellationToken,
                onOffer: offer => offered[offer.AttemptId] = DateTimeOffset.UtcNow);
            Benchmark.Log($"latency, fake executor: controller at {farm.Address}, 10 simulated agents");
            var runs = await RunAsync(farm, "bench-latency-fake", $"runsOn: [{Label}]", executions, cancellationToken);
            fleet.ThrowIfBroken();
            var readyToOffer = new List<TimeSpan>();
            var overhead = new List<TimeSpan>();
            foreach (var run in runs)
            {
                var actions = run.Stages.Select(s => s.Actions.Single()).ToList();
                for (var i = 1; i < actions.Count; i++)
                {
                    readyToOffer.Add(offered[actions[i].AttemptId] - actions[i - 1].FinishedAt.ToDateTimeOffset());
                }

                overhead.Add((run.FinishedAt.ToDateTimeOffset() - run.StartedAt.ToDateTimeOffset()) / Stages);
            }

            return new FakeResult(Summary.Of(readyToOffer), Summary.Of(overhead));
        }
        finally
        {
            Benchmark.TryDelete(root);
        }
    }

    private static async Task<ShellResult> ShellAsync(BenchOptions options, int executions, CancellationToken cancellationToken)
    {
        var root = Directory.CreateTempSubdirectory("farm-bench-latency-").FullName;
        var logsDir = Path.Combine(options.LogsDir ?? Path.Combine(root, "logs"), "latency-shell");
        try
        {
            await using var farm = await FarmProcesses.StartAsync(root, logsDir, cancellationToken);
            Benchmark.Log($"latency, shell executor: controller at {farm.Address}, agent bench-agent");
            var runs = await RunAsync(farm, "bench-latency-shell", "runsOn: [linux]", executions, cancellationToken);
            var client = new Executions.ExecutionsClient(farm.Invoker);
            var readyToProcess = new List<TimeSpan>();
            var overhead = new List<TimeSpan>();
            var own = new List<TimeSpan>();
            foreach (var run in runs)
            {
                var stages = run.Stages.ToList();
                var ownTotal = TimeSpan.Zero;
                for (var i = 0; i < stages.Count; i++)
                {
                    var (first, last) = await ReadStampsAsync(client, run.Id, stages[i].Name, cancellationToken);
                    ownTotal += last - first;
                    own.Add(last - first);
                    if (i > 0)
                    {
                        readyToProcess.Add(first - stages[i - 1].Actions.Single().FinishedAt.ToDateTimeOffset());
                    }
                }

                overhead.Add((run.FinishedAt.ToDateTimeOffset() - run.StartedAt.ToDateTimeOffset() - ownTotal) / Stages);
            }

            return new ShellResult(Summary.Of(readyToProcess), Summary.Of(overhead), Summary.Of(own));
        }
        finally
        {
            Benchmark.TryDelete(root);
        }
    }

    /// <summary>The two <c>date +%s%N</c> lines an action of the shell pipeline printed.</summary>
    private static async Task<(DateTimeOffset First, DateTimeOffset Last)> ReadStampsAsync(
        Executions.ExecutionsClient client, string executionId, string stage, CancellationToken cancellationToken)
    {
        using var call = client.ReadLog(new ReadLogRequest { ExecutionId = executionId, Stage = stage, Action = "a" }, cancellationToken: cancellationToken);
        var text = new StringBuilder();
        await foreach (var chunk in call.ResponseStream.ReadAllAsync(cancellationToken))
        {
            text.Append(chunk.Data.ToStringUtf8());
        }

        var stamps = text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => DateTimeOffset.UnixEpoch.AddTicks(long.Parse(line.Trim(), CultureInfo.InvariantCulture) / 100))
            .ToList();
        return stamps.Count == 2 ? (stamps[0], stamps[1]) : throw new BenchException($"{executionId} {stage}: expected two time stamps, got '{text}'.");
    }

    /// <summary>Applies a pipeline of <see cref="Stages"/> one-action shell stages; runs 10 executions unmeasured, then <paramref name="count"/>, one at a time.</summary>
    private static async Task<List<Execution>> RunAsync(FarmProcesses farm, string pipeline, string runsOn, int count, CancellationToken cancellationToken)
    {
        var yaml = new StringBuilder($"name: {pipeline}\nexecutionMode: parallel\nstages:\n");
        for (var i = 1; i <= Stages; i++)
        {
            yaml.Append($"  - name: s{i:00}\n    actions:\n      - name: a\n        type: shell\n        {runsOn}\n        commands: [ \"date +%s%N\", \"true\", \"date +%s%N\" ]\n");
        }

        await new Pipelines.PipelinesClient(farm.Invoker).ApplyPipelineAsync(new ApplyPipelineRequest { Definition = yaml.ToString() }, cancellationToken: cancellationToken);
        var client = new Executions.ExecutionsClient(farm.Invoker);
        var runs = new List<Execution>();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 10 + count; i++)
        {
            var id = (await client.StartExecutionAsync(new StartExecutionRequest { Pipeline = pipeline }, cancellationToken: cancellationToken)).ExecutionId;
            var finished = await FleetBenchmark.FollowAsync(client, id, farm, cancellationToken);
            if (i >= 10)
            {
                runs.Add(finished);
            }
        }

        Benchmark.Log($"{pipeline}: {count} measured executions in {clock.Elapsed.TotalSeconds:0.0} s");
        return runs;
    }
}
