using System.Globalization;

namespace Farm.Bench;

/// <summary>Command-line settings of the benchmark.</summary>
public sealed record BenchOptions
{
    public const string Usage = """
        Usage: bench/run.sh [--stages N] [--block B] [--docs PATH | --no-docs] [--logs DIR] [--image IMAGE]

          --stages N     Farm actions to measure, one container action per stage, and as many bare
                         create+start runs. Default 30.
          --block B      stages per pipeline execution; executions and blocks of B bare runs alternate.
                         Default 10, at least 2 (each execution's first action is reported apart).
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

    private static int ParseCount(string name, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count is >= 2 and <= 1000
            ? count
            : throw new BenchException($"{name} must be a whole number from 2 to 1000, not '{text}'.");
}
