using System.Globalization;
using System.Text.RegularExpressions;
using Farm.Api.V1;

namespace Farm.EndToEnd.Tests;

[Collection(FarmCollection.Name)]
public sealed class MetricsTests(FarmHost farm)
{
    [Fact]
    public async Task Scrape_endpoint_reports_agents_queue_dispatch_latency_and_durations_by_result()
    {
        var yaml = """
            name: measured
            stages:
              - name: Work
                actions:
                  - { name: fine, type: shell, runsOn: [ linux ], commands: [ "true" ] }
                  - { name: broken, type: shell, runsOn: [ linux ], commands: [ "exit 3" ] }
            """;
        var id = await farm.ApplyAndStartAsync(yaml);
        var done = await farm.WatchAsync(id);
        using var http = new HttpClient();

        var text = await http.GetStringAsync(farm.WebhookAddress + "/metrics");

        Assert.Equal(ExecutionStatus.Failed, done.Status);
        // At least the agent that ran these actions; the other may still be reconnecting after a restart test.
        Assert.True(Value(text, "farm_agents_online") >= 1, text);
        Assert.True(Value(text, "farm_queue_depth") >= 0, text);
        Assert.True(Value(text, "farm_actions_running") >= 0, text);
        Assert.True(Value(text, "farm_dispatch_latency_seconds_count") >= 2, text);
        Assert.Matches(new Regex("^farm_dispatch_latency_seconds_bucket\\{[^}]*le=\"0.1\"", RegexOptions.Multiline), text);
        Assert.True(Value(text, "farm_action_duration_seconds_count", "result=\"succeeded\"") >= 1, text);
        Assert.True(Value(text, "farm_action_duration_seconds_count", "result=\"failed\"") >= 1, text);
        Assert.True(Value(text, "farm_execution_duration_seconds_count", "result=\"failed\"") >= 1, text);
        // The runtime's own series: a controller that has served executions has compiled and collected.
        Assert.True(Value(text, "dotnet_jit_compilation_time_seconds_total") > 0, text);
        Assert.True(Value(text, "dotnet_gc_heap_total_allocated_bytes_total") > 0, text);
    }

    [Fact]
    public async Task Scrape_endpoint_is_not_served_on_the_grpc_endpoint()
    {
        using var http = new HttpClient { DefaultRequestVersion = new Version(2, 0), DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };

        using var response = await http.GetAsync(farm.Address + "/metrics");

        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
    }

    /// <summary>The value of the first sample of <paramref name="metric"/> whose labels contain <paramref name="label"/>; fails when there is none.</summary>
    private static double Value(string text, string metric, string label = "")
    {
        var match = new Regex($"^{Regex.Escape(metric)}(\\{{[^}}]*\\}})? (\\S+)", RegexOptions.Multiline)
            .Matches(text).FirstOrDefault(m => m.Groups[1].Value.Contains(label, StringComparison.Ordinal));
        Assert.True(match is not null, $"no {metric} {label} in:\n{text}");
        return double.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
    }
}
