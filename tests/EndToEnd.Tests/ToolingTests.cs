using System.Diagnostics;
using System.Text;
using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;

namespace Farm.EndToEnd.Tests;

[Collection(FarmCollection.Name)]
public sealed class ToolingTests(FarmHost farm)
{
    [Fact]
    public async Task Off_the_shelf_grpc_tools_find_the_services_and_the_health_status()
    {
        var health = await new Health.HealthClient(farm.Channel).CheckAsync(new HealthCheckRequest());

        using var reflection = new ServerReflection.ServerReflectionClient(farm.Channel).ServerReflectionInfo();
        await reflection.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await reflection.RequestStream.CompleteAsync();
        Assert.True(await reflection.ResponseStream.MoveNext(CancellationToken.None));
        var services = reflection.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        Assert.Contains("farm.v1.Pipelines", services);
        Assert.Contains("farm.v1.Executions", services);
        Assert.Contains("farm.v1.AgentSessions", services);
    }

    [Fact]
    public async Task Cli_runs_an_unseen_pipeline_to_success_and_prints_its_logs_exactly()
    {
        var file = Path.Combine(farm.Root, "unseen.yaml");
        await File.WriteAllTextAsync(file, $$"""
            name: unseen
            variables:
              - name: planet
                default: mars
            stages:
              - name: Fetch
                actions:
                  - name: get
                    type: container
                    image: {{FarmHost.Image}}
                    commands:
                      - 'echo "fetching for #{variables.planet}"'
                      - 'printf "two\nlines\n"'
              - name: Check
                actions:
                  - name: left
                    type: shell
                    commands: [ "echo left" ]
                  - name: right
                    type: container
                    image: {{FarmHost.Image}}
                    commands: [ "echo right >&2" ]
            """);

        var apply = await RunCliAsync("apply", "-f", file);
        var start = await RunCliAsync("start", "unseen", "--var", "planet=venus", "--wait");
        var id = start.Stdout.Trim();
        var logs = await RunCliAsync("logs", id, "Fetch/get");
        var right = await RunCliAsync("logs", id, "right");
        var failedStart = await RunCliAsync("start", "unseen", "--var", "moon=io");

        Assert.Equal((0, "applied unseen version 1\n"), (apply.ExitCode, apply.Stdout));
        Assert.Equal(0, start.ExitCode);
        Assert.Equal($"{id}\n", start.Stdout);
        Assert.Matches("^unseen-[0-9]+$", id);
        Assert.Contains("✓ get", start.Stderr);
        Assert.Equal((0, "fetching for venus\ntwo\nlines\n"), (logs.ExitCode, logs.Stdout));
        Assert.Equal("right\n", right.Stdout);
        Assert.Equal(1, failedStart.ExitCode);
        Assert.Equal("", failedStart.Stdout);
        Assert.Contains("Pipeline 'unseen' has no variable 'moon' (it declares planet).", failedStart.Stderr);
    }

    private async Task<(int ExitCode, string Stdout, string Stderr)> RunCliAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [FarmHost.Locate("Cli", "farm.dll"), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.Environment["FARM_CONTROLLER"] = farm.Address;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        return (process.ExitCode, await stdout, await stderr);
    }
}
