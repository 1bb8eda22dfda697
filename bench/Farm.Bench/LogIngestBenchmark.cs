using System.Diagnostics;
using System.Globalization;
using System.Text;
using Farm.Api.V1;
using Grpc.Core;

namespace Farm.Bench;

/// <summary>
/// The logs suite: ten real agents each run a shell action that writes a flood of output holding a
/// pipeline secret on every line, so every byte goes through the agents' masking, spool and shipper
/// and the controller's log store. Ingest is the bytes stored over the span from the first action's
/// start to the last one's end. Meanwhile an eleventh action writes its clock every 10 ms and a
/// watcher follows its log (ReadLog with follow): line → watcher is the arrival time minus the time
/// written in the line, on the same host clock.
/// </summary>
public static class LogIngestBenchmark
{
    private const int Agents = 10;
    private const string Pipeline = "bench-logs";
    private const string Secret = "bench-secret-value-42";
    private const int TickerSeconds = 15;

    public static async Task RunAsync(BenchOptions options, MachineInfo machine, CancellationToken cancellationToken)
    {
        var date = DateTimeOffset.UtcNow;
        var loadBefore = Benchmark.Load();
        var revision = SourceRevision.Describe();
        var megabytes = options.LogMegabytes;
        var root = Directory.CreateTempSubdirectory("farm-bench-logs-").FullName;
        var logsDir = Path.Combine(options.LogsDir ?? Path.Combine(root, "logs"), "logs");
        string markdown;
        try
        {
            await using var farm = await FarmProcesses.StartAsync(root, logsDir, cancellationToken, withAgent: false);
            for (var i = 1; i <= Agents; i++)
            {
                // The first agent also runs the ticker, so it has a second slot.
                await farm.StartAgentAsync(root, $"log-{i:00}", "bench-logs", i == 1 ? 2 : 1, cancellationToken);
            }

            var pipelines = new Pipelines.PipelinesClient(farm.Invoker);
            await pipelines.ApplyPipelineAsync(new ApplyPipelineRequest { Definition = Definition(megabytes) }, cancellationToken: cancellationToken);
            await pipelines.SetSecretAsync(new SetSecretRequest { Pipeline = Pipeline, Name = "token", Value = Secret }, cancellationToken: cancellationToken);
            var client = new Executions.ExecutionsClient(farm.Invoker);
            Benchmark.Log($"logs: controller at {farm.Address}, {Agents} agents; warm-up execution");
            await RunOnceAsync(client, farm, watch: false, cancellationToken);
            Benchmark.Log($"measuring: {Agents} × {megabytes} MB with a secret on every line, and a ticker watched live");
            var (run, delays) = await RunOnceAsync(client, farm, watch: true, cancellationToken);

            var floods = run.Stages.Single().Actions.Where(a => a.Name.StartsWith("flood", StringComparison.Ordinal)).ToList();
            var stored = new long[floods.Count];
            for (var i = 0; i < floods.Count; i++)
            {
                stored[i] = await LogLengthAsync(client, run.Id, floods[i].Name, cancellationToken);
            }

            var span = floods.Max(a => a.FinishedAt.ToDateTimeOffset()) - floods.Min(a => a.StartedAt.ToDateTimeOffset());
            var total = stored.Sum();
            var masked = await MaskedAsync(client, run.Id, floods[0].Name, cancellationToken);
            var delay = Summary.Of(delays);
            Benchmark.Log($"stored {total / 1e6:0.0} MB in {span.TotalSeconds:0.00} s: {total / 1e6 / span.TotalSeconds:0.0} MB/s; line → watcher p50 {delay.P50:0.0} ms, p99 {delay.P99:0.0} ms");

            var md = new StringBuilder();
            md.AppendLine($"### Log ingest: run of {date.UtcDateTime:yyyy-MM-dd HH:mm} UTC");
            md.AppendLine();
            md.AppendLine($"- Command: `{Benchmark.Command(options)}`");
            md.AppendLine($"- Farm: {revision}, Release build; controller and agent settings all default");
            md.AppendLine($"- Machine: {machine.Description}");
            md.AppendLine($"- Load average (1 min): {loadBefore} before, {Benchmark.Load()} after");
            md.AppendLine($"- Workload: {Agents} real agent processes on this machine, each running one shell action that writes {megabytes} MB " +
                $"(`yes` of a 100-byte line holding a pipeline secret, through `head -c`); the secret is masked on every line ({(masked ? "checked: the stored log holds `***` and not the secret" : "NOT masked: check the run")}). " +
                $"An eleventh action on the first agent writes `date +%s%N` every 10 ms for {TickerSeconds} s, followed live by a watcher. After one unmeasured execution.");
            md.AppendLine();
            var written = Agents * megabytes * 1e6;
            md.AppendLine("| agents | MB written | MB stored | span s | MB/s written | MB/s stored | line → watcher n | p50 ms | p90 ms | p99 ms | max ms |");
            md.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            md.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {Agents} | {written / 1e6:0.0} | {total / 1e6:0.0} | {span.TotalSeconds:0.00} | {written / 1e6 / span.TotalSeconds:0.0} | {total / 1e6 / span.TotalSeconds:0.0} " +
                $"| {delay.Count} | {delay.P50:0.0} | {delay.P90:0.0} | {delay.P99:0.0} | {delay.Max:0.0} |"));
            md.AppendLine();
            md.AppendLine("MB written: what the actions printed; MB stored: the flood actions' log lengths as ReadLog returns them, smaller because " +
                "each 21-byte secret became `***` (MB = 10^6 bytes). Span: the earliest flood action's StartedAt " +
                "to the latest one's FinishedAt (an action finishes only once its whole log is stored). Line → watcher: the ticker's lines that " +
                "arrived while the floods ran or after, each its arrival at the watcher minus the time it holds.");
            markdown = md.ToString();
        }
        finally
        {
            Benchmark.TryDelete(root);
        }

        Console.WriteLine(markdown);
        if (options.DocsPath is { } docs)
        {
            DocsSection.Write(docs, "logs", markdown);
            Benchmark.Log($"wrote the log-ingest results into {docs}");
        }
    }

    private static string Definition(int megabytes)
    {
        // 100 bytes a line once the shell has put the secret in for $TOKEN: 99 characters and the newline.
        var line = ("line with $TOKEN in it " + new string('x', 100))[..(99 - Secret.Length + "$TOKEN".Length)];
        var yaml = new StringBuilder($"name: {Pipeline}\nstages:\n  - name: logs\n    actions:\n");
        for (var i = 1; i <= Agents; i++)
        {
            yaml.Append($"      - name: flood{i:00}\n        type: shell\n        runsOn: [ bench-logs ]\n        env: {{ TOKEN: \"#{{secrets.token}}\" }}\n" +
                $"        commands: [ 'yes \"{line}\" | head -c {megabytes * 1_000_000}' ]\n");
        }

        yaml.Append($"      - name: ticker\n        type: shell\n        runsOn: [ bench-logs ]\n" +
            $"        commands: [ 'end=$(( $(date +%s) + {TickerSeconds} )); while [ $(date +%s) -lt $end ]; do date +%s%N; sleep 0.01; done' ]\n");
        return yaml.ToString();
    }

    /// <summary>Runs the pipeline once; with <paramref name="watch"/>, follows the ticker's log and returns each line's delay.</summary>
    private static async Task<(Execution Run, List<TimeSpan> Delays)> RunOnceAsync(
        Executions.ExecutionsClient client, FarmProcesses farm, bool watch, CancellationToken cancellationToken)
    {
        var id = (await client.StartExecutionAsync(new StartExecutionRequest { Pipeline = Pipeline }, cancellationToken: cancellationToken)).ExecutionId;
        var delays = new List<TimeSpan>();
        var watcher = watch ? FollowTickerAsync(client, id, delays, cancellationToken) : Task.CompletedTask;
        var finished = await FleetBenchmark.FollowAsync(client, id, farm, cancellationToken);
        await watcher;
        return (finished, delays);
    }

    private static async Task FollowTickerAsync(Executions.ExecutionsClient client, string executionId, List<TimeSpan> delays, CancellationToken cancellationToken)
    {
        var pending = "";
        while (true)
        {
            try
            {
                using var call = client.ReadLog(new ReadLogRequest { ExecutionId = executionId, Stage = "logs", Action = "ticker", Follow = true },
                    cancellationToken: cancellationToken);
                await foreach (var chunk in call.ResponseStream.ReadAllAsync(cancellationToken))
                {
                    var now = DateTimeOffset.UtcNow;
                    var text = pending + chunk.Data.ToStringUtf8();
                    var lines = text.Split('\n');
                    pending = lines[^1];
                    foreach (var line in lines[..^1])
                    {
                        delays.Add(now - DateTimeOffset.UnixEpoch.AddTicks(long.Parse(line, CultureInfo.InvariantCulture) / 100));
                    }
                }

                return;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound && !cancellationToken.IsCancellationRequested)
            {
                // Not dispatched yet: the action has no attempt to read.
                await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
            }
        }
    }

    private static async Task<long> LogLengthAsync(Executions.ExecutionsClient client, string executionId, string action, CancellationToken cancellationToken)
    {
        using var call = client.ReadLog(new ReadLogRequest { ExecutionId = executionId, Stage = "logs", Action = action }, cancellationToken: cancellationToken);
        long length = 0;
        await foreach (var chunk in call.ResponseStream.ReadAllAsync(cancellationToken))
        {
            length = chunk.Offset + chunk.Data.Length;
        }

        return length;
    }

    /// <summary>True when the first 64 KiB of a flood log show the mask and not the secret.</summary>
    private static async Task<bool> MaskedAsync(Executions.ExecutionsClient client, string executionId, string action, CancellationToken cancellationToken)
    {
        using var call = client.ReadLog(new ReadLogRequest { ExecutionId = executionId, Stage = "logs", Action = action }, cancellationToken: cancellationToken);
        await foreach (var chunk in call.ResponseStream.ReadAllAsync(cancellationToken))
        {
            var text = chunk.Data.ToStringUtf8();
            return text.Contains("***", StringComparison.Ordinal) && !text.Contains(Secret, StringComparison.Ordinal);
        }

        return false;
    }
}
