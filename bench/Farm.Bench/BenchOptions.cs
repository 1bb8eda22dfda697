using System.Globalization;

namespace Farm.Bench;

/// <summary>Command-line settings of the benchmark.</summary>
public sealed record BenchOptions
{
    public const string Usage = """
        Usage: bench/run.sh [--suite dispatch|latency|logs|restart|throughput|idle|cluster] [--megabytes M] [--stages N] [--block B] [--agents N[,N...]]
                            [--executions E] [--hold S] [--docs PATH | --no-docs] [--logs DIR] [--image IMAGE]

          --suite S      dispatch (default): the dispatch-latency benchmark, a real agent and containers.
                         latency: action ready → offer held (simulated agents, fake executor) and →
                         process running (real agent, shell), and per-stage overhead, over 10-stage
                         pipelines run one at a time; --executions E of them (default 120: 1,080
                         measured actions per executor).
                         logs: 10 real agents each write --megabytes M (default 50) of output with a
                         masked secret on every line; MB/s stored, and line → live watcher delay.
                         restart: kill -9 of the one controller, started again at once: to the first
                         execution accepted and to its first offer, 5 rounds.
                         throughput: simulated agents (in this process, no containers, no logs) answer
                         every offer at once; completed actions per second, controller CPU and peak RSS.
                         idle: simulated agents connected and heartbeating, held; controller RSS and CPU.
                         cluster: executions/s of 1 controller and of 3 (PostgreSQL store, Redis
                         membership; run.sh starts both), then kill -9 of the dispatcher's controller
                         to the first offer through a survivor, 3 rounds. --agents N sets its fleet (30).
          --stages N     Farm actions to measure, one container action per stage, and as many bare
                         create+start runs. Default 30.
          --block B      stages per pipeline execution; executions and blocks of B bare runs alternate.
                         Default 10, at least 2 (each execution's first action is reported apart).
          --agents LIST  throughput and idle: fleet sizes, one run with a fresh controller each.
                         Default 50,200 (throughput), 1000 (idle).
          --executions E latency: executions, one at a time (default 120). throughput: executions of the
                         20-action pipeline, all started at once, per warm-up round and measured (default
                         400). cluster: the same, once warm-up and once measured (default 20).
          --hold S       idle: seconds the connected agents are held and measured. Default 30.
          --docs PATH    markdown file whose generated section is replaced. Default docs/benchmarks.md.
          --no-docs      print the results only.
          --logs DIR     keep the controller's and agent's output (UTC timestamps) and every sample
                         (samples.csv) there. bench/run.sh passes .work/bench/logs; without it they go
                         to a temporary folder that is deleted at the end.
          --image IMAGE  image of every container. Default: FARM_IMAGE, else farm/busybox:latest.

        Needs DOCKER_HOST set to an engine that has the image; bench/run.sh starts one.
        """;

    /// <summary>Stages of the measured pipeline, and bare runs. Default 30.</summary>
    public int Stages { get; init; } = 30;

    /// <summary>Stages per execution: Farm and bare runs alternate in blocks of this many. Default 10.</summary>
    public int Block { get; init; } = 10;

    /// <summary>The markdown file to update; null to only print. Default docs/benchmarks.md of the repository.</summary>
    public string? DocsPath { get; init; } = Path.Combine(RepoPaths.Root, "docs", "benchmarks.md");

    /// <summary>Where the controller's and agent's output is kept; null for a temporary folder.</summary>
    public string? LogsDir { get; init; }

    /// <summary>The image of every container. Default FARM_IMAGE, else <c>farm/busybox:latest</c>, the image scripts/lib.sh makes.</summary>
    public string Image { get; init; } = Environment.GetEnvironmentVariable("FARM_IMAGE") is { Length: > 0 } image ? image : "farm/busybox:latest";

    public Suite Suite { get; init; } = Suite.Dispatch;

    /// <summary>Fleet sizes of the throughput and idle suites; null for the suite's default.</summary>
    public IReadOnlyList<int>? Agents { get; init; }

    /// <summary>--executions as given; null for the suite's default.</summary>
    public int? ExecutionsGiven { get; init; }

    /// <summary>
    /// Executions per measured run of the latency, throughput and cluster suites. The defaults measure
    /// 1,080 actions per executor in the latency suite (the goals ask for 1,000 or more) and 8,000
    /// in the throughput suite.
    /// </summary>
    public int Executions => ExecutionsGiven ?? Suite switch
    {
        Suite.Latency => 120,
        Suite.Throughput => 400,
        _ => 20,
    };

    /// <summary>Logs suite: megabytes each agent writes (under the 64 MiB log cap). Default 50.</summary>
    public int LogMegabytes { get; init; } = 50;

    /// <summary>Idle suite: seconds the fleet is held and measured. Default 30.</summary>
    public int HoldSeconds { get; init; } = 30;

    public bool Help { get; init; }

    /// <summary>The arguments as given, to print the command that produced a result.</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions { Arguments = args };
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new BenchException($"{args[i]} needs a value.");
            options = args[i] switch
            {
                "--stages" => options with { Stages = ParseCount("--stages", Value()) },
                "--block" => options with { Block = ParseCount("--block", Value()) },
                "--suite" => options with { Suite = ParseSuite(Value()) },
                "--agents" => options with { Agents = Value().Split(',').Select(n => ParseNumber("--agents", n, 1, 20000)).ToArray() },
                "--executions" => options with { ExecutionsGiven = ParseNumber("--executions", Value(), 1, 1000) },
                "--megabytes" => options with { LogMegabytes = ParseNumber("--megabytes", Value(), 1, 60) },
                "--hold" => options with { HoldSeconds = ParseNumber("--hold", Value(), 1, 3600) },
                "--docs" => options with { DocsPath = Path.GetFullPath(Value()) },
                "--no-docs" => options with { DocsPath = null },
                "--logs" => options with { LogsDir = Path.GetFullPath(Value()) },
                "--image" => options with { Image = Value() },
                "-h" or "--help" => options with { Help = true },
                var unknown => throw new BenchException($"unknown argument '{unknown}'."),
            };
        }

        return options.Stages % options.Block is 1
            ? throw new BenchException($"--stages {options.Stages} leaves a last block of 1 stage with --block {options.Block}; each execution needs 2 or more.")
            : options;
    }

    private static Suite ParseSuite(string text) => text switch
    {
        "dispatch" => Suite.Dispatch,
        "latency" => Suite.Latency,
        "logs" => Suite.Logs,
        "restart" => Suite.Restart,
        "throughput" => Suite.Throughput,
        "idle" => Suite.Idle,
        "cluster" => Suite.Cluster,
        _ => throw new BenchException($"--suite must be dispatch, latency, logs, restart, throughput, idle or cluster, not '{text}'."),
    };

    private static int ParseNumber(string name, string text, int min, int max) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max
            ? number
            : throw new BenchException($"{name} must be a whole number from {min} to {max}, not '{text}'.");

    private static int ParseCount(string name, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count is >= 2 and <= 2000
            ? count
            : throw new BenchException($"{name} must be a whole number from 2 to 2000, not '{text}'.");
}

/// <summary>Which measurement to run.</summary>
public enum Suite
{
    /// <summary>Dispatch latency: a real agent, real containers, against bare Docker.</summary>
    Dispatch,

    /// <summary>Ready → offer and → process start, and stage overhead, with the fake and shell executors.</summary>
    Latency,

    /// <summary>Log bytes stored per second from ten real agents, masking on; line → watcher delay.</summary>
    Logs,

    /// <summary>Controller killed and started again: to the first execution accepted and offered.</summary>
    Restart,

    /// <summary>Completed actions per second with simulated agents.</summary>
    Throughput,

    /// <summary>Connected, heartbeating simulated agents at rest.</summary>
    Idle,

    /// <summary>Executions per second of one controller and of three; failover time after a SIGKILL.</summary>
    Cluster,
}
