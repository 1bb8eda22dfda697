using Farm.Api.V1;
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

    [Fact]
    public async Task Imported_codepipeline_declaration_runs_and_the_cli_drives_transitions_artifacts_and_rollback()
    {
        var yamlFile = Path.Combine(farm.Root, "imported.yaml");
        var import = await RunCliAsync("import", "codepipeline", Path.Combine(FarmHost.RepoRoot, "tests/Cli.Tests/Import/Samples/small.json"), "-o", yamlFile);
        Assert.Equal(0, import.ExitCode);
        Assert.Equal(0, (await RunCliAsync("apply", "-f", yamlFile)).ExitCode);

        var first = await RunCliAsync("start", "hello-commands", "--wait");
        var id = first.Stdout.Trim();
        var release = await RunCliAsync("logs", id, "release");
        var artifacts = await RunCliAsync("artifacts", id);
        var archive = Path.Combine(farm.Root, "build-output.tar.gz");
        var get = await RunCliAsync("artifact", "get", id, "BuildOutput", "-o", archive);
        var history = await RunCliAsync("executions", "hello-commands", "--status", "succeeded", "--json");

        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Equal("it's built\nreleased build-42\n", release.Stdout);
        Assert.Contains("BuildOutput", artifacts.Stdout);
        Assert.Equal(0, get.ExitCode);
        Assert.True(new FileInfo(archive).Length > 0);
        Assert.Contains($"\"{id}\"", history.Stdout);

        var disable = await RunCliAsync("transition", "disable", "hello-commands", "Deploy", "--reason", "release freeze");
        var second = (await RunCliAsync("start", "hello-commands")).Stdout.Trim();
        var waiting = await farm.WatchAsync(second, e => e.WaitingForStage == "Deploy");
        var enable = await RunCliAsync("transition", "enable", "hello-commands", "Deploy");
        var released = await farm.WatchAsync(second);

        Assert.Equal(0, disable.ExitCode);
        Assert.Contains("release freeze", disable.Stdout);
        Assert.Equal("the transition into stage 'Deploy' is disabled: release freeze", waiting.WaitingReason);
        Assert.Equal(0, enable.ExitCode);
        Assert.Equal(ExecutionStatus.Succeeded, released.Status);

        var rollback = await RunCliAsync("rollback", "hello-commands", "Deploy", "--to", id, "--wait");
        var rolledBack = rollback.Stdout.Trim();
        var state = await farm.Executions.GetExecutionAsync(new GetExecutionRequest { ExecutionId = rolledBack });

        Assert.True(rollback.ExitCode == 0, rollback.Stderr);
        Assert.Equal((ExecutionStatus.Succeeded, "rollback", id), (state.Status, state.Trigger, state.RollbackOf));
        Assert.Equal((ExecutionStatus.Skipped, ExecutionStatus.Succeeded), (state.Stages[0].Status, state.Stages[1].Status));
        Assert.Equal("it's built\nreleased build-42\n", (await RunCliAsync("logs", rolledBack, "release")).Stdout);
    }

    private Task<(int ExitCode, string Stdout, string Stderr)> RunCliAsync(params string[] args) => farm.RunCliAsync(args);
}
