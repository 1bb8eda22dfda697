using System.Diagnostics;
using System.Net.Sockets;
using Farm.Api.V1;

namespace Farm.EndToEnd.Tests;

/// <summary>
/// Commit to production with real parts: a git source, an image built and pushed to the registry
/// ./test.sh starts, deployed to staging on one agent, approved, deployed to production on the other,
/// and the production stage rolled back to the previous digest. Services use the host network and
/// listen on 127.0.0.1, where the agents' probes and this test reach them.
/// </summary>
[Collection(FarmCollection.Name)]
public sealed class ShipTests(FarmHost farm) : IAsyncLifetime
{
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..8];
    private readonly int _stagingPort = FreePort();
    private readonly int _productionPort = FreePort();

    private static string Registry => Environment.GetEnvironmentVariable("FARM_TEST_REGISTRY") is { Length: > 0 } registry
        ? registry
        : throw new InvalidOperationException("These tests need a registry: run ./test.sh, which starts docker-registry and sets FARM_TEST_REGISTRY.");

    private string Pipeline => "ship-" + _suffix;

    private string Yaml(string repo) => $$"""
        name: {{Pipeline}}
        stages:
          - name: Source
            actions:
              - name: src
                type: git
                repository: {{repo}}
                branch: main
                outputArtifacts:
                  - name: code
          - name: Build
            actions:
              - name: image
                type: image-build
                namespace: build
                inputArtifacts: [ code ]
                tags: [ "{{Registry}}/ship-{{_suffix}}:#{execution.id}" ]
                push: true
          - name: Staging
            actions:
              - name: deploy
                type: container-deploy
                environment: staging
                service: web-{{_suffix}}
                image: "#{build.image}"
                runsOn: [ first ]
                network: host
                restart: "no"
                env: { PORT: "{{_stagingPort}}" }
                health: { http: "http://127.0.0.1:{{_stagingPort}}/", timeout: 30s }
          - name: Approve
            actions:
              - name: release
                type: approval
                message: Staging looks right?
          - name: Production
            actions:
              - name: deploy
                type: container-deploy
                environment: production
                service: web-{{_suffix}}
                image: "#{build.image}"
                runsOn: [ second ]
                network: host
                restart: "no"
                env: { PORT: "{{_productionPort}}" }
                health: { http: "http://127.0.0.1:{{_productionPort}}/", timeout: 30s }
        """;

    [Fact]
    public async Task Built_image_goes_through_staging_and_approval_to_production_and_rolls_back()
    {
        var repo = Directory.CreateDirectory(Path.Combine(farm.Root, "web-" + _suffix)).FullName;
        await Git(repo, "init", "-q", "-b", "main");
        await CommitAsync(repo, "version one");
        await farm.Pipelines.ApplyPipelineAsync(new ApplyPipelineRequest { Definition = Yaml(repo) });

        var first = await ReleaseAsync();
        Assert.Equal("version one\n", await GetAsync(_stagingPort));
        Assert.Equal("version one\n", await GetAsync(_productionPort));
        var firstDigest = first.Action("Build", "image").Outputs["digest"];
        Assert.Matches("^sha256:[0-9a-f]{64}$", firstDigest);

        await CommitAsync(repo, "version two");
        var second = await ReleaseAsync();
        Assert.Equal("version two\n", await GetAsync(_productionPort));
        Assert.NotEqual(firstDigest, second.Action("Build", "image").Outputs["digest"]);

        var rollback = await farm.Executions.RollbackStageAsync(new RollbackStageRequest { Pipeline = Pipeline, Stage = "Production", TargetExecutionId = first.Id });
        var rolledBack = await farm.WatchAsync(rollback.ExecutionId);

        Assert.True(rolledBack.Status == ExecutionStatus.Succeeded, rolledBack.ToString());
        Assert.Equal("version one\n", await GetAsync(_productionPort));
        Assert.Equal("version two\n", await GetAsync(_stagingPort));
        var history = await new Deployments.DeploymentsClient(farm.Invoker).ListDeploymentsAsync(
            new ListDeploymentsRequest { Environment = "production", Service = "web-" + _suffix });
        Assert.Equal([rollback.ExecutionId, second.Id, first.Id], history.Deployments.Select(d => d.ExecutionId));
        Assert.Equal(firstDigest, history.Deployments[0].Digest);
        Assert.Equal("e2e-agent-2", history.Deployments[0].Agent);

        var (exit, table, _) = await farm.RunCliAsync(["environments"]);
        Assert.Equal(0, exit);
        var rows = table.Split('\n').Where(l => l.Contains("web-" + _suffix, StringComparison.Ordinal)).ToList();
        Assert.Equal(2, rows.Count);
        Assert.Contains(rows, r => r.StartsWith("production", StringComparison.Ordinal) && r.Contains(firstDigest[..19]) && r.Contains(rollback.ExecutionId));
        Assert.Contains(rows, r => r.StartsWith("staging", StringComparison.Ordinal) && r.Contains(second.Id));
    }

    [Fact]
    public async Task Dockerfile_that_fails_to_build_fails_the_action_with_the_builds_error_line()
    {
        var repo = Directory.CreateDirectory(Path.Combine(farm.Root, "broken-" + _suffix)).FullName;
        await Git(repo, "init", "-q", "-b", "main");
        await File.WriteAllTextAsync(Path.Combine(repo, "Dockerfile"), $"FROM {FarmHost.Image}\nRUN echo compiling && exit 7\n");
        await Git(repo, "add", "Dockerfile");
        await Git(repo, "commit", "-q", "-m", "broken");
        await farm.Pipelines.ApplyPipelineAsync(new ApplyPipelineRequest { Definition = Yaml(repo) });

        var run = await farm.WatchAsync((await farm.Executions.StartExecutionAsync(new StartExecutionRequest { Pipeline = Pipeline })).ExecutionId);

        Assert.Equal(ExecutionStatus.Failed, run.Status);
        Assert.Equal("the image build failed: The command '/bin/sh -c echo compiling && exit 7' returned a non-zero code: 7", run.Action("Build", "image").Message);
        Assert.Contains("compiling\n", await farm.ReadLogAsync(run.Id, "Build", "image"));
    }

    /// <summary>Starts an execution, approves it once staging is deployed, and waits for it to succeed.</summary>
    private async Task<Execution> ReleaseAsync()
    {
        var id = (await farm.Executions.StartExecutionAsync(new StartExecutionRequest { Pipeline = Pipeline })).ExecutionId;
        var waiting = await farm.WatchAsync(id, e => e.Status != ExecutionStatus.InProgress || e.Action("Approve", "release").Status == ExecutionStatus.InProgress);
        Assert.True(waiting.Status == ExecutionStatus.InProgress, waiting.ToString());
        await farm.Executions.DecideApprovalAsync(new DecideApprovalRequest { ExecutionId = id, Stage = "Approve", Action = "release", Approve = true, Comment = "staging answers" });
        var done = await farm.WatchAsync(id);
        Assert.True(done.Status == ExecutionStatus.Succeeded, done.ToString());
        return done;
    }

    private static async Task CommitAsync(string repo, string page)
    {
        Directory.CreateDirectory(Path.Combine(repo, "www"));
        await File.WriteAllTextAsync(Path.Combine(repo, "www", "index.html"), page + "\n");
        await File.WriteAllTextAsync(Path.Combine(repo, "Dockerfile"),
            $"FROM {FarmHost.Image}\nCOPY www /www\nCMD [\"sh\", \"-c\", \"exec httpd -f -p 127.0.0.1:$PORT -h /www\"]\n");
        await Git(repo, "add", ".");
        await Git(repo, "commit", "-q", "-m", page);
    }

    private static async Task Git(string repo, params string[] args)
    {
        var start = new ProcessStartInfo("git", ["-c", "user.name=Ada", "-c", "user.email=ada@example.com", .. args])
        {
            WorkingDirectory = repo,
            RedirectStandardError = true,
        };
        using var git = Process.Start(start)!;
        var error = await git.StandardError.ReadToEndAsync();
        await git.WaitForExitAsync();
        Assert.True(git.ExitCode == 0, $"git {string.Join(' ', args)}: {error}");
    }

    private static async Task<string> GetAsync(int port)
    {
        using var client = new HttpClient();
        return await client.GetStringAsync($"http://127.0.0.1:{port}/");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>The service containers outlive executions by design; the test removes its own.</summary>
    public async Task DisposeAsync()
    {
        foreach (var environment in new[] { "staging", "production" })
        {
            using var docker = Process.Start(new ProcessStartInfo("docker", ["rm", "-f", $"farm-{environment}-web-{_suffix}"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            await docker.WaitForExitAsync();
        }
    }
}
