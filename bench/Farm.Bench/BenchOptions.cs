using System.Globalization;

namespace Farm.Bench;

/// <summary>Command-line settings of the benchmark.</summary>
public sealed record BenchOptions
{
    public const string Usage = """
        Usage: bench/run.sh [--stages N] [--docs PATH | --no-docs] [--logs DIR] [--image IMAGE]

          --stages N     stages in the measured pipeline, one container action each, and as many bare
                         create+start runs. Default 30, at least 2 (the first action is reported apart).
          --docs PATH    markdown file whose generated section is replaced. Default docs/benchmarks.md.
          --no-docs      print the results only.
          --logs DIR     keep the controller's and agent's output there (timestamps in UTC); by default
                         it goes to a temporary folder that is deleted at the end.
          --image IMAGE  image of every container. Default: FARM_IMAGE, else farm/busybox:latest.

        Needs DOCKER_HOST set to an engine that has the image; bench/run.sh starts one.
        """;

    /// <summary>Stages of the measured pipeline, and bare runs. Default 30.</summary>
    public int Stages { get; init; } = 30;

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
                "--stages" => options with { Stages = ParseStages(Value()) },
                "--docs" => options with { DocsPath = Path.GetFullPath(Value()) },
                "--no-docs" => options with { DocsPath = null },
                "--logs" => options with { LogsDir = Path.GetFullPath(Value()) },
                "--image" => options with { Image = Value() },
                "-h" or "--help" => options with { Help = true },
                var unknown => throw new BenchException($"unknown argument '{unknown}'."),
            };
        }

        return options;
    }

    private static int ParseStages(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var stages) && stages is >= 2 and <= 1000
            ? stages
            : throw new BenchException($"--stages must be a whole number from 2 to 1000, not '{text}'.");
}
