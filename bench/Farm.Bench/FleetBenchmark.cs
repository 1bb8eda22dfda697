using System.Diagnostics;
using System.Text;
using Farm.Api.V1;
using Grpc.Core;

namespace Farm.Bench;

/// <summary>
/// The throughput and idle suites: a real controller process, every setting at its default and no
/// real agent, against <see cref="SimulatedAgent"/>s in this process. Each fleet size gets a fresh
/// controller and data folder. Nothing runs a container or writes a log: these figures are the
/// controller's own cost, not end-to-end ones.
/// </summary>
public static class FleetBenchmark
{
    public const int ActionsPerExecution = 20;
    public const string Label = "bench-sim";
    private const string Pipeline = "bench-throughput";
    private const int BaselineSeconds = 10;
    private const double MaxJitShare = 0.03;
    private const int MaxWarmUpRounds = 10;

    public static async Task RunAsync(BenchOptions options, MachineInfo machine, CancellationToken cancellationToken)
    {
        var date = DateTimeOffset.UtcNow;
        var loadBefore = Benchmark.Load();
        var revision = SourceRevision.Describe();
        var name = options.Suite is Suite.Throughput ? "throughput" : "idle";
        var sizes = options.Agents ?? (options.Suite is Suite.Throughput ? [50, 200] : [1000]);
        var rows = new List<string>();
        foreach (var size in sizes)
        {
            var root = Directory.CreateTempSubdirectory($"farm-bench-{name}-").FullName;
            var logsDir = Path.Combine(options.LogsDir ?? Path.Combine(root, "logs"), $"{name}-{size}");
            try
            {
                await using var farm = await FarmProcesses.StartAsync(root, logsDir, cancellationToken, withAgent: false);
                Benchmark.Log($"controller at {farm.Address} (pid {farm.ControllerProcessId}); logs in {logsDir}");
                rows.Add(options.Suite is Suite.Throughput
                    ? await ThroughputAsync(farm, size, options.Executions, cancellationToken)
                    : await IdleAsync(farm, size, options.HoldSeconds, cancellationToken));
            }
            finally
            {
                Benchmark.TryDelete(root);
            }
        }

        var md = new StringBuilder();
        md.AppendLine($"### {(options.Suite is Suite.Throughput ? "Throughput" : "Idle agents")}: run of {date.UtcDateTime:yyyy-MM-dd HH:mm} UTC");
        md.AppendLine();
        md.AppendLine($"- Command: `{Benchmark.Command(options)}`");
        md.AppendLine($"- Farm: {revision}, Release build; controller settings all default");
        md.AppendLine($"- Machine: {machine.Description}");
        md.AppendLine($"- Load average (1 min): {loadBefore} before, {Benchmark.Load()} after");
        md.AppendLine("- Simulated agents, in the harness's process (which shares the machine with the controller): each its own enrolled credential " +
            $"and `Connect` stream, {AgentFleet.AgentsPerChannel} streams per HTTP/2 connection (one `GrpcChannel` each); hello with label `{Label}` and " +
            $"{SimulatedAgent.Slots} slots, a heartbeat every interval the welcome names. They run **no containers, no processes, write no logs** " +
            "(no ShipLog) and no artifacts: not end-to-end figures.");
        md.AppendLine();
        if (options.Suite is Suite.Throughput)
        {
            md.AppendLine($"Each simulated agent accepts every offer and at once reports it finished, succeeded, exit code 0. Workload per fleet: " +
                $"{options.Executions} executions of a one-stage pipeline of {ActionsPerExecution} parallel `shell` actions (`executionMode: parallel`), " +
                $"all started at once, after unmeasured warm-up rounds of the same workload until the JIT's time in a round is under {MaxJitShare:P0} " +
                $"of the controller's CPU in it (at most {MaxWarmUpRounds} rounds): the controller is a long-running server, and its top-tier code is what it runs on.");
            md.AppendLine();
            md.AppendLine("| agents (slots) | actions | warm-up executions | wall s | actions/s | controller span s | controller CPU s | of it JIT s | CPU % of one core | peak RSS MiB | RSS after MiB |");
            md.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        }
        else
        {
            md.AppendLine($"Connected agents are held for {options.HoldSeconds} s, after a settling pause of one heartbeat interval; nothing is dispatched.");
            md.AppendLine();
            md.AppendLine("| agents | channels | enroll s | connect s | RSS before agents MiB | RSS held MiB (min–max) | peak RSS held MiB | CPU % of one core, held | CPU % before agents | heartbeat | oldest last seen | connected at end |");
            md.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        }

        foreach (var row in rows)
        {
            md.AppendLine(row);
        }

        md.AppendLine();
        md.AppendLine(options.Suite is Suite.Throughput
            ? "Wall: the harness's clock from the first StartExecution call to the last execution watched to success; actions/s = actions ÷ wall. " +
              "Controller span: the executions' earliest StartedAt to latest FinishedAt, on the controller's clock. CPU: the controller process's " +
              "utime + stime (/proc/<pid>/stat) over the wall time; JIT: the runtime's time compiling (dotnet_jit_compilation_time_seconds_total on the controller's /metrics) in the same window. Peak RSS: VmHWM (/proc/<pid>/status), reset (clear_refs) just before the measured executions."
            : "Enroll: one Enroll call per agent, 16 at a time. Connect: every Connect call made at once, to the last welcome. RSS: VmRSS sampled every second " +
              "while held; peak: VmHWM, reset (clear_refs) at the start of the hold. CPU: the controller process's utime + stime (/proc/<pid>/stat) " +
              "over the hold; before agents: the same over 10 s of the fresh controller alone. Connected at end, oldest last seen: from the Admin API's " +
              "ListAgents after the hold (how long ago the least recently heard-from connected agent was seen; under one interval means every heartbeat arrives).");
        var markdown = md.ToString();
        Console.WriteLine(markdown);
        if (options.DocsPath is { } docs)
        {
            DocsSection.Write(docs, name, markdown);
            Benchmark.Log($"wrote the {name} results into {docs}");
        }
    }

    private static async Task<string> ThroughputAsync(FarmProcesses farm, int size, int executions, CancellationToken cancellationToken)
    {
        var pid = farm.ControllerProcessId;
        Benchmark.Log($"throughput, {size} agents: enrolling and connecting");
        await using var fleet = await AgentFleet.StartAsync(farm, "sim", size, Label, cancellationToken);
        Benchmark.Log($"{size} agents connected in {fleet.ConnectTime.TotalSeconds:0.00} s over {fleet.Channels} channels");

        var pipelines = new Pipelines.PipelinesClient(farm.Invoker);
        var executionsClient = new Executions.ExecutionsClient(farm.Invoker);
        await pipelines.ApplyPipelineAsync(new ApplyPipelineRequest { Definition = Definition() }, cancellationToken: cancellationToken);

        // The controller is a server that runs for weeks: what counts is its speed once the JIT has
        // compiled its hot paths at the top tier, which on 2 cores takes several thousand actions.
        // Rounds of the measured workload until the JIT's time in a round is under 3 % of the
        // controller's CPU in it (the runtime's dotnet_jit_compilation_time_seconds_total on /metrics).
        using var http = new HttpClient();
        var rounds = 0;
        double jitShare;
        do
        {
            var (roundCpu, roundJit) = await MeasureAsync(() => RunExecutionsAsync(executionsClient, executions, farm, cancellationToken));
            rounds++;
            jitShare = roundJit / roundCpu.TotalSeconds;
            Benchmark.Log($"warm-up round {rounds}: {executions} executions, JIT {roundJit:0.00} s of {roundCpu.TotalSeconds:0.00} s controller CPU");
        }
        while (jitShare > MaxJitShare && rounds < MaxWarmUpRounds);

        Benchmark.Log($"measuring: {executions} executions × {ActionsPerExecution} actions, started at once");
        var peakReset = ProcStats.TryResetPeak(pid);
        var before = ProcStats.Read(pid);
        var jitBefore = await JitSecondsAsync();
        var clock = Stopwatch.StartNew();
        var finished = await RunExecutionsAsync(executionsClient, executions, farm, cancellationToken);
        var wall = clock.Elapsed;
        var after = ProcStats.Read(pid);
        var jit = await JitSecondsAsync() - jitBefore;
        fleet.ThrowIfBroken();

        var actions = executions * ActionsPerExecution;
        var expectedAcks = (rounds + 1) * executions * ActionsPerExecution;
        // The controller acknowledges a result after storing it, so the last acks may trail the executions' success.
        for (var wait = 0; wait < 50 && fleet.Acknowledged < expectedAcks; wait++)
        {
            await Task.Delay(100, cancellationToken);
        }

        if (fleet.Acknowledged != expectedAcks || fleet.Unexpected != 0)
        {
            throw new BenchException($"Expected {expectedAcks} finished_acks and no cancel or drain; got {fleet.Acknowledged} and {fleet.Unexpected}.");
        }

        var span = finished.Max(e => e.FinishedAt.ToDateTimeOffset()) - finished.Min(e => e.StartedAt.ToDateTimeOffset());
        var cpu = after.Cpu - before.Cpu;
        Benchmark.Log($"{actions} actions in {wall.TotalSeconds:0.00} s: {actions / wall.TotalSeconds:0.0} actions/s; controller CPU {cpu.TotalSeconds:0.00} s (JIT {jit:0.00} s), peak RSS {ProcStats.MiB(after.PeakKiB)} MiB");
        return $"| {size} ({size * SimulatedAgent.Slots}) | {actions} | {rounds * executions} | {wall.TotalSeconds:0.00} | {actions / wall.TotalSeconds:0.0} | {span.TotalSeconds:0.00} " +
            $"| {cpu.TotalSeconds:0.00} | {jit:0.00} | {ProcStats.CpuPercent(before, after):0} | {ProcStats.MiB(after.PeakKiB)}{(peakReset ? "" : " (since start)")} | {ProcStats.MiB(after.RssKiB)} |";

        Task<double> JitSecondsAsync() => Scrape.ValueAsync(http, farm.MetricsAddress(), "dotnet_jit_compilation_time_seconds_total", cancellationToken);

        async Task<(TimeSpan Cpu, double Jit)> MeasureAsync(Func<Task> work)
        {
            var cpuStart = ProcStats.Read(pid);
            var jitStart = await JitSecondsAsync();
            await work();
            return (ProcStats.Read(pid).Cpu - cpuStart.Cpu, await JitSecondsAsync() - jitStart);
        }
    }

    private static async Task<string> IdleAsync(FarmProcesses farm, int size, int holdSeconds, CancellationToken cancellationToken)
    {
        var pid = farm.ControllerProcessId;
        // The controller's own idle cost, without agents, to set the held figures against.
        Benchmark.Log($"idle, {size} agents: {BaselineSeconds} s of the controller alone first");
        var baselineStart = ProcStats.Read(pid);
        await Task.Delay(TimeSpan.FromSeconds(BaselineSeconds), cancellationToken);
        var bare = ProcStats.Read(pid);
        Benchmark.Log($"enrolling and connecting (controller RSS {ProcStats.MiB(bare.RssKiB)} MiB, CPU {ProcStats.CpuPercent(baselineStart, bare):0.0} % before)");
        await using var fleet = await AgentFleet.StartAsync(farm, "idle", size, Label, cancellationToken);
        var interval = fleet.Agents[0].HeartbeatInterval;
        Benchmark.Log($"enrolled in {fleet.EnrollTime.TotalSeconds:0.00} s, connected in {fleet.ConnectTime.TotalSeconds:0.00} s over {fleet.Channels} channels; " +
            $"settling {interval.TotalSeconds:0} s, then holding {holdSeconds} s");
        await Task.Delay(interval, cancellationToken);

        var peakReset = ProcStats.TryResetPeak(pid);
        var start = ProcStats.Read(pid);
        long minRss = start.RssKiB, maxRss = start.RssKiB;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(holdSeconds))
        {
            await Task.Delay(TimeSpan.FromSeconds(1) - TimeSpan.FromTicks(clock.Elapsed.Ticks % TimeSpan.TicksPerSecond), cancellationToken);
            var sample = ProcStats.Read(pid);
            minRss = Math.Min(minRss, sample.RssKiB);
            maxRss = Math.Max(maxRss, sample.RssKiB);
        }

        var end = ProcStats.Read(pid);
        fleet.ThrowIfBroken();
        var listed = await new Admin.AdminClient(farm.Invoker).ListAgentsAsync(new ListAgentsRequest(), cancellationToken: cancellationToken);
        var connected = listed.Agents.Count(a => a.Connected);
        // Proof the heartbeats arrived: the dispatcher stamps last_seen at each one (and the session at its start).
        var oldest = DateTimeOffset.UtcNow - listed.Agents.Where(a => a.Connected).Min(a => a.LastSeen.ToDateTimeOffset());
        var cpuPercent = ProcStats.CpuPercent(start, end);
        Benchmark.Log($"held {size} agents: RSS {ProcStats.MiB(minRss)}–{ProcStats.MiB(maxRss)} MiB, CPU {cpuPercent:0.0} % of one core; {connected} connected at the end");
        return $"| {size} | {fleet.Channels} | {fleet.EnrollTime.TotalSeconds:0.00} | {fleet.ConnectTime.TotalSeconds:0.00} | {ProcStats.MiB(bare.RssKiB)} " +
            $"| {ProcStats.MiB(minRss)}–{ProcStats.MiB(maxRss)} | {ProcStats.MiB(end.PeakKiB)}{(peakReset ? "" : " (since start)")} | {cpuPercent:0.0} " +
            $"| {ProcStats.CpuPercent(baselineStart, bare):0.0} | {interval.TotalSeconds:0} s | {oldest.TotalSeconds:0.0} s | {connected} |";
    }

    /// <summary>One stage of <see cref="ActionsPerExecution"/> shell actions that only the simulated agents' label matches.</summary>
    private static string Definition()
    {
        var yaml = new StringBuilder($"name: {Pipeline}\nexecutionMode: parallel\nstages:\n  - name: work\n    actions:\n");
        for (var i = 1; i <= ActionsPerExecution; i++)
        {
            yaml.Append($"      - name: a{i:00}\n        type: shell\n        runsOn: [{Label}]\n        commands: [\"true\"]\n");
        }

        return yaml.ToString();
    }

    /// <summary>Starts <paramref name="count"/> executions at once and watches each to success.</summary>
    private static async Task<Execution[]> RunExecutionsAsync(Executions.ExecutionsClient client, int count, FarmProcesses farm, CancellationToken cancellationToken)
    {
        var started = await Task.WhenAll(Enumerable.Range(0, count).Select(_ =>
            client.StartExecutionAsync(new StartExecutionRequest { Pipeline = Pipeline }, cancellationToken: cancellationToken).ResponseAsync));
        return await Task.WhenAll(started.Select(s => FollowAsync(client, s.ExecutionId, farm, cancellationToken)));
    }

    /// <summary>Follows the execution with WatchExecution to its end; fails unless it succeeded within 5 minutes. Every suite's one way to wait for a run.</summary>
    internal static async Task<Execution> FollowAsync(Executions.ExecutionsClient client, string executionId, FarmProcesses farm, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromMinutes(5));
        Execution? last = null;
        try
        {
            using var call = client.WatchExecution(new WatchExecutionRequest { ExecutionId = executionId }, cancellationToken: deadline.Token);
            await foreach (var state in call.ResponseStream.ReadAllAsync(deadline.Token))
            {
                last = state;
            }
        }
        catch (Exception e) when (e is RpcException { StatusCode: StatusCode.Cancelled } or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new BenchException($"Execution {executionId} did not finish within 5 minutes (last status {last?.Status}):\n{farm.Tail()}");
        }

        return last is { Status: ExecutionStatus.Succeeded }
            ? last
            : throw new BenchException($"Execution {executionId} ended {last?.Status}: {last?.Message}\n{farm.Tail()}");
    }
}
