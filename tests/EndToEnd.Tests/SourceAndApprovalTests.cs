using System.Diagnostics;
using Farm.Api.V1;
using Grpc.Core;

namespace Farm.EndToEnd.Tests;

/// <summary>Git sources from real repositories, and approvals decided through the API and the CLI.</summary>
[Collection(FarmCollection.Name)]
public sealed class SourceAndApprovalTests(FarmHost farm)
{
    private static readonly string Image = FarmHost.Image;

    /// <summary>Runs git in <paramref name="repo"/> with a fixed identity and clock, returning its trimmed output.</summary>
    private static async Task<string> Git(string repo, params string[] args)
    {
        var start = new ProcessStartInfo("git", args) { WorkingDirectory = repo, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["GIT_AUTHOR_NAME"] = "Ada";
        start.Environment["GIT_AUTHOR_EMAIL"] = "ada@example.com";
        start.Environment["GIT_COMMITTER_NAME"] = "Ada";
        start.Environment["GIT_COMMITTER_EMAIL"] = "ada@example.com";
        using var git = Process.Start(start)!;
        var output = await git.StandardOutput.ReadToEndAsync();
        var error = await git.StandardError.ReadToEndAsync();
        await git.WaitForExitAsync();
        Assert.True(git.ExitCode == 0, $"git {string.Join(' ', args)}: {error}");
        return output.Trim();
    }

    private static async Task<string> CommitAsync(string repo, string content, string message)
    {
        await File.WriteAllTextAsync(Path.Combine(repo, "app.txt"), content);
        await Git(repo, "add", "app.txt");
        await Git(repo, "commit", "-q", "-m", message);
        return await Git(repo, "rev-parse", "HEAD");
    }

    [Fact]
    public async Task Git_source_builds_the_commit_pinned_at_start_and_records_it()
    {
        var repo = Directory.CreateDirectory(Path.Combine(farm.Root, "repo-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        await Git(repo, "init", "-q", "-b", "main");
        var first = await CommitAsync(repo, "v1\n", "first");
        var yaml = $$"""
            name: from-git
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
                  - name: build
                    type: container
                    image: {{Image}}
                    inputArtifacts: [ code ]
                    commands: [ "cat app.txt", "ls -a" ]
            """;

        var pinned = await farm.ApplyAndStartAsync(yaml);
        var second = await CommitAsync(repo, "v2\n", "second");
        var pinnedRun = await farm.WatchAsync(pinned);
        var latest = await farm.WatchAsync(await farm.ApplyAndStartAsync(yaml));
        var requested = new StartExecutionRequest { Pipeline = "from-git", Revisions = { ["src"] = first } };
        var replay = await farm.WatchAsync((await farm.Executions.StartExecutionAsync(requested)).ExecutionId);
        var missing = await Assert.ThrowsAsync<RpcException>(() => farm.Executions.StartExecutionAsync(
            new StartExecutionRequest { Pipeline = "from-git", Revisions = { ["src"] = "no-such-branch" } }).ResponseAsync);

        Assert.True(pinnedRun.Status == ExecutionStatus.Succeeded, pinnedRun.ToString());
        Assert.Equal("v1\n.\n..\napp.txt\n", await farm.ReadLogAsync(pinned, "Build", "build"));
        var source = Assert.Single(pinnedRun.Sources);
        Assert.Equal(("src", "main", first, "Ada <ada@example.com>", "first"), (source.Action, source.Ref, source.Commit, source.Author, source.Message));
        Assert.Equal(second, Assert.Single(latest.Sources).Commit);
        Assert.Equal("v2\n.\n..\napp.txt\n", await farm.ReadLogAsync(latest.Id, "Build", "build"));
        Assert.Equal(first, Assert.Single(replay.Sources).Commit);
        Assert.Equal(StatusCode.FailedPrecondition, missing.StatusCode);
        Assert.Contains("has no branch or tag 'no-such-branch'", missing.Status.Detail);
    }

    [Fact]
    public async Task Executions_list_and_its_json_carry_the_sources_and_caller_that_GetExecution_shows()
    {
        var repo = Directory.CreateDirectory(Path.Combine(farm.Root, "repo-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        await Git(repo, "init", "-q", "-b", "main");
        var commit = await CommitAsync(repo, "v1\n", "listed");
        await farm.Pipelines.ApplyPipelineAsync(new ApplyPipelineRequest { Definition = $$"""
            name: listed-git
            stages:
              - name: Source
                actions:
                  - name: src
                    type: git
                    repository: {{repo}}
                    branch: main
                    outputArtifacts: [ { name: code } ]
            """ });

        var started = await farm.RunCliAsync(["start", "listed-git"], ("FARM_USER", "alice@test"));
        Assert.True(started.ExitCode == 0, started.Stderr);
        var id = started.Stdout.Trim();
        var done = await farm.WatchAsync(id);
        // The history row follows the state the watch showed by one write.
        Execution? listed = null;
        await Eventually.Until(async _ =>
        {
            listed = (await farm.Executions.ListExecutionsAsync(new ListExecutionsRequest { Pipeline = "listed-git" })).Executions.Single(e => e.Id == id);
            return listed.Status == done.Status;
        }, TimeSpan.FromSeconds(10), () => listed?.ToString() ?? "no row");
        var got = await farm.Executions.GetExecutionAsync(new GetExecutionRequest { ExecutionId = id });
        var cli = await farm.RunCliAsync(["executions", "listed-git", "--json"]);

        Assert.True(done.Status == ExecutionStatus.Succeeded, done.ToString());
        Assert.Equal("admin (alice@test)", got.TriggeredBy);
        Assert.Equal(got.TriggeredBy, listed!.TriggeredBy);
        Assert.Equal(got.Sources, listed.Sources);
        Assert.Equal((commit, "Ada <ada@example.com>", "listed"), (listed.Sources[0].Commit, listed.Sources[0].Author, listed.Sources[0].Message));
        Assert.True(cli.ExitCode == 0, cli.Stderr);
        var row = System.Text.Json.Nodes.JsonNode.Parse(cli.Stdout)!["executions"]!.AsArray().Single(e => (string?)e!["id"] == id)!;
        Assert.Equal("admin (alice@test)", (string?)row["triggeredBy"]);
        Assert.Equal((commit, "Ada <ada@example.com>"), ((string?)row["sources"]![0]!["commit"], (string?)row["sources"]![0]!["author"]));
        Assert.False(row.AsObject().ContainsKey("stages"));
        Assert.Equal("stages,revision", (string?)row["leftOut"]);
    }

    [Fact]
    public async Task Approval_waits_through_a_controller_restart_and_the_cli_decision_is_recorded()
    {
        var yaml = $$"""
            name: approved
            stages:
              - name: Gate
                actions:
                  - name: sign-off
                    type: approval
                    message: 'Release #{execution.id}?'
              - name: Ship
                actions:
                  - name: ship
                    type: container
                    image: {{Image}}
                    commands: [ "echo shipped" ]
            """;
        var id = await farm.ApplyAndStartAsync(yaml);
        await farm.WatchAsync(id, e => e.Action("Gate", "sign-off").Approval?.Message is { Length: > 0 });
        var listed = await farm.Executions.ListApprovalsAsync(new ListApprovalsRequest { Pipeline = "approved" });

        await farm.RestartControllerAsync();
        var approve = await farm.RunCliAsync(["approve", id, "Gate/sign-off", "--comment", "go"], ("FARM_USER", "alice@test"));
        var done = await farm.WatchAsync(id);
        var again = await farm.RunCliAsync(["reject", id, "Gate/sign-off"], ("FARM_USER", "bob@test"));

        var pending = Assert.Single(listed.Approvals);
        Assert.Equal((id, "Gate", "sign-off", $"Release {id}?"), (pending.ExecutionId, pending.Stage, pending.Action, pending.Message));
        Assert.Equal(0, approve.ExitCode);
        Assert.Equal(ExecutionStatus.Succeeded, done.Status);
        var approval = done.Action("Gate", "sign-off").Approval;
        // The token's name decides; the declared user is detail.
        Assert.Equal(("approved", "admin (alice@test)", "go"), (approval.Decision, approval.DecidedBy, approval.Comment));
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("was already approved by admin (alice@test)", again.Stderr);
    }
}
