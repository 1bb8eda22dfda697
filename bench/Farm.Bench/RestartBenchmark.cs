using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Farm.Api.V1;
using Grpc.Core;

namespace Farm.Bench;

/// <summary>
/// The restart suite: one controller with 10 simulated agents that reconnect as real ones do. Each
/// round kills the controller with SIGKILL and starts it again at once; the harness asks it to start
/// an execution every 50 ms until one is accepted, and waits for that execution's first offer at a
/// simulated agent. Times run from the new process's start.
/// </summary>
public static class RestartBenchmark
{
    private const string Pipeline = "bench-restart";
    private const int Rounds = 5;

    public static async Task RunAsync(BenchOptions options, MachineInfo machine, CancellationToken cancellationToken)
    {
        var date = DateTimeOffset.UtcNow;
        var loadBefore = Benchmark.Load();
        var revision = SourceRevision.Describe();
        var root = Directory.CreateTempSubdirectory("farm-bench-restart-").FullName;
        var logsDir = Path.Combine(options.LogsDir ?? Path.Combine(root, "logs"), "restart");
        var rows = new List<string>();
        try
        {
            await using var farm = await FarmProcesses.StartAsync(root, logsDir, cancellationToken, withAgent: false);
            var offers = new ConcurrentQueue<(string ExecutionId, long At)>();
            await using var fleet = await AgentFleet.StartAsync(farm, "restart", 10, FleetBenchmark.Label, cancellationToken,
                onOffer: offer => offers.Enqueue((offer.ExecutionId, Stopwatch.GetTimestamp())), reconnect: true);
            await new Pipelines.PipelinesClient(farm.Invoker).ApplyPipelineAsync(new ApplyPipelineRequest
            {
                Definition = $"name: {Pipeline}\nstages:\n  - name: s\n    actions:\n      - name: a\n        type: shell\n        runsOn: [ {FleetBenchmark.Label} ]\n        commands: [ \"true\" ]\n",
            }, cancellationToken: cancellationToken);
            var client = new Executions.ExecutionsClient(farm.Invoker);
            await FleetBenchmark.FollowAsync(client, await StartUntilAcceptedAsync(client, cancellationToken), farm, cancellationToken);
            for (var round = 1; round <= Rounds; round++)
            {
                await farm.KillAndStartControllerAsync(cancellationToken);
                var started = Stopwatch.GetTimestamp();
                var executionId = await StartUntilAcceptedAsync(client, cancellationToken);
                var accepted = Stopwatch.GetElapsedTime(started);
                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                deadline.CancelAfter(TimeSpan.FromMinutes(2));
                while (!offers.Any(o => o.ExecutionId == executionId))
                {
                    await Task.Delay(5, deadline.Token);
                }

                var offered = Stopwatch.GetElapsedTime(started, offers.First(o => o.ExecutionId == executionId).At);
                Benchmark.Log($"round {round}: execution {executionId} accepted {accepted.TotalSeconds:0.00} s and offered {offered.TotalSeconds:0.00} s after the restart");
                rows.Add(string.Create(CultureInfo.InvariantCulture, $"| {round} | {accepted.TotalSeconds:0.00} | {offered.TotalSeconds:0.00} |"));
                // The next kill must find nothing in flight: simulated agents, unlike real ones, do not
                // report a result again after a reconnect, so an attempt cut off would wait out its lease.
                await FleetBenchmark.FollowAsync(client, executionId, farm, deadline.Token);
            }
        }
        finally
        {
            Benchmark.TryDelete(root);
        }

        var md = new StringBuilder();
        md.AppendLine($"### Restart: run of {date.UtcDateTime:yyyy-MM-dd HH:mm} UTC");
        md.AppendLine();
        md.AppendLine($"- Command: `{Benchmark.Command(options)}`");
        md.AppendLine($"- Farm: {revision}, Release build; controller settings all default (embedded SQLite store)");
        md.AppendLine($"- Machine: {machine.Description}");
        md.AppendLine($"- Load average (1 min): {loadBefore} before, {Benchmark.Load()} after");
        md.AppendLine("- 10 simulated agents (see Throughput) that reconnect 200 ms after their stream breaks; each round kills the controller " +
            "with SIGKILL and starts a new process at once (once the previous round's execution has finished); the harness calls StartExecution every 50 ms until one is accepted.");
        md.AppendLine();
        md.AppendLine("| round | process start → execution accepted s | process start → its first offer at an agent s |");
        md.AppendLine("|---:|---:|---:|");
        foreach (var row in rows)
        {
            md.AppendLine(row);
        }

        var markdown = md.ToString();
        Console.WriteLine(markdown);
        if (options.DocsPath is { } docs)
        {
            DocsSection.Write(docs, "restart", markdown);
            Benchmark.Log($"wrote the restart results into {docs}");
        }
    }

    private static async Task<string> StartUntilAcceptedAsync(Executions.ExecutionsClient client, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromMinutes(2));
        while (true)
        {
            try
            {
                return (await client.StartExecutionAsync(new StartExecutionRequest { Pipeline = Pipeline },
                    deadline: DateTime.UtcNow.AddSeconds(5), cancellationToken: deadline.Token)).ExecutionId;
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal or StatusCode.Unknown)
            {
                await Task.Delay(50, deadline.Token);
            }
        }
    }
}
