using Farm.Api.V1;
using Farm.Cli.Formatting;

namespace Farm.Cli.Tests.Formatting;

public sealed class ExecutionReportTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 10, 12, 0, 0, TimeSpan.Zero);

    private static Execution Rollback()
    {
        var execution = new Execution
        {
            Id = "hello-9", Pipeline = "hello", PipelineVersion = 4, Status = ExecutionStatus.InProgress, Trigger = "rollback",
            RollbackOf = "hello-6", WaitingForStage = "Deploy", WaitingReason = "stage busy with hello-8",
        };
        var build = new StageExecution { Name = "Build", Status = ExecutionStatus.Skipped, Message = "a rollback runs Deploy only" };
        var pack = new ActionExecution
        {
            Name = "pack", Status = ExecutionStatus.Succeeded, Attempt = 2, Agent = "host-1", ExitCode = 0, Namespace = "pack", Type = "container",
            Resolved = new ResolvedAction { Image = "alpine:3.20", Commands = { "make site", "tar czf site.tgz out" }, Env = { ["B"] = "2", ["A"] = "1" }, InputArtifacts = { "src" } },
            Outputs = { ["VERSION"] = "1.4.2", ["COMMIT"] = "abc123" },
            Artifacts = { new Artifact { Name = "site", Size = 2048, Sha256 = "00112233445566778899aabb" } },
            PreviousAttempts = { new AttemptRecord { AttemptId = "a-1", Status = ExecutionStatus.Failed, Agent = "host-2", ExitCode = 3, Message = "flaky" } },
        };
        build.Actions.Add(pack);
        var deploy = new StageExecution { Name = "Deploy", Status = ExecutionStatus.Pending, Entries = 2 };
        deploy.Actions.Add(new ActionExecution { Name = "ship", Status = ExecutionStatus.Pending });
        execution.Stages.Add(build);
        execution.Stages.Add(deploy);
        return execution;
    }

    [Fact]
    public void Header_shows_trigger_rollback_target_and_wait()
    {
        var lines = ExecutionReport.Format(Rollback(), Now).Split('\n');

        Assert.Contains("Trigger      rollback", lines);
        Assert.Contains("Rollback of  hello-6", lines);
        Assert.Contains("Waiting      for Deploy: stage busy with hello-8", lines);
    }

    [Fact]
    public void Stage_rows_show_their_entry_and_message()
    {
        var lines = ExecutionReport.Format(Rollback(), Now).Split('\n');

        Assert.Contains("Build         skipped    -        -       -     -         a rollback runs Deploy only", lines);
        Assert.Contains("Deploy        pending    entry 2", lines);
    }

    [Fact]
    public void Action_details_show_namespace_outputs_artifacts_and_the_count_of_earlier_attempts()
    {
        var report = ExecutionReport.Format(Rollback(), Now);

        Assert.EndsWith(
            "\nBuild/pack\n"
            + "  Namespace         pack\n"
            + "  Outputs           COMMIT=abc123\n"
            + "                    VERSION=1.4.2\n"
            + "  Artifacts         site (2.0 KiB, sha256 001122334455)\n"
            + "  Earlier attempts  1\n",
            report);
        Assert.DoesNotContain("alpine", report);
    }

    [Fact]
    public void Verbose_adds_the_resolved_configuration_and_each_earlier_attempt()
    {
        var report = ExecutionReport.Format(Rollback(), Now, verbose: true);

        Assert.EndsWith(
            "\nBuild/pack\n"
            + "  Namespace         pack\n"
            + "  Outputs           COMMIT=abc123\n"
            + "                    VERSION=1.4.2\n"
            + "  Artifacts         site (2.0 KiB, sha256 001122334455)\n"
            + "  Earlier attempts  1: a-1 failed on host-2, exit 3: flaky\n"
            + "  Type              container\n"
            + "  Image             alpine:3.20\n"
            + "  Commands          make site\n"
            + "                    tar czf site.tgz out\n"
            + "  Env               A=1\n"
            + "                    B=2\n"
            + "  Inputs            src\n",
            report);
    }

    [Fact]
    public void Action_without_details_gets_no_block()
    {
        var report = ExecutionReport.Format(Rollback(), Now, verbose: true);

        Assert.DoesNotContain("Deploy/ship", report);
    }
}
