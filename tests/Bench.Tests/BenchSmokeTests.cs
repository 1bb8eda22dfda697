using System.Diagnostics;
using Xunit.Abstractions;

namespace Farm.Bench.Tests;

/// <summary>
/// Every benchmark suite runs to its table with tiny counts, as bench/run.sh runs the harness (its
/// own process, the Release controller and agent). A smoke run only: figures from counts this small
/// mean nothing, and nothing here reads them. The numbers in docs/benchmarks.md come from bench/run.sh.
/// </summary>
public sealed class BenchSmokeTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("### Run of", "--stages 4 --block 2")]
    [InlineData("### Latency: run of", "--suite latency --executions 2")]
    [InlineData("### Throughput: run of", "--suite throughput --agents 2 --executions 2")]
    [InlineData("### Idle agents: run of", "--suite idle --agents 5 --hold 1")]
    [InlineData("### Log ingest: run of", "--suite logs --megabytes 1")]
    [InlineData("### Restart: run of", "--suite restart")]
    [InlineData("### Cluster: run of", "--suite cluster --agents 3 --executions 2")]
    public async Task Suite_runs_to_its_table(string heading, string arguments)
    {
        var (exitCode, stdout, stderr) = await RunHarnessAsync(arguments);

        Assert.True(exitCode == 0, $"exit code {exitCode}\n{stderr}");
        Assert.Contains(heading, stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_argument_is_named_with_the_usage()
    {
        var (exitCode, _, stderr) = await RunHarnessAsync("--suite fastest");

        Assert.Equal(2, exitCode);
        Assert.Contains("--suite must be dispatch, latency, logs, restart, throughput, idle or cluster, not 'fastest'.", stderr, StringComparison.Ordinal);
        Assert.Contains("Usage: bench/run.sh", stderr, StringComparison.Ordinal);
    }

    private async Task<(int ExitCode, string Stdout, string Stderr)> RunHarnessAsync(string arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(HarnessPath());
        foreach (var argument in (arguments + " --no-docs").Split(' '))
        {
            start.ArgumentList.Add(argument);
        }

        // What ./test.sh made and started: the image, and the cluster suite's store and membership.
        Pass(start, "FARM_TEST_IMAGE", "FARM_IMAGE");
        Pass(start, "FARM_TEST_POSTGRES", "FARM_BENCH_POSTGRES");
        Pass(start, "FARM_TEST_REDIS", "FARM_BENCH_REDIS");
        using var harness = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var stdout = harness.StandardOutput.ReadToEndAsync();
        var stderr = harness.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await harness.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            harness.Kill(entireProcessTree: true);
            throw new TimeoutException($"farm-bench {arguments} did not end within 5 minutes.\n{await stderr}");
        }

        output.WriteLine(await stdout);
        output.WriteLine(await stderr);
        return (harness.ExitCode, await stdout, await stderr);
    }

    private static void Pass(ProcessStartInfo start, string from, string to)
    {
        if (Environment.GetEnvironmentVariable(from) is { Length: > 0 } value)
        {
            start.Environment[to] = value;
        }
    }

    /// <summary>The harness in its own output folder, of this test build's configuration.</summary>
    private static string HarnessPath()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "bench", "Farm.Bench", "bin", configuration, "net10.0", "Farm.Bench.dll");
            if (File.Exists(Path.Combine(dir.FullName, "Farm.sln")))
            {
                return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is missing: build the solution first.");
            }
        }

        throw new DirectoryNotFoundException($"No Farm.sln above {AppContext.BaseDirectory}.");
    }
}
