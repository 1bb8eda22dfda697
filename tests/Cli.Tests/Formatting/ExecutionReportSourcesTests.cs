using System.Globalization;
using Farm.Api.V1;
using Farm.Cli.Formatting;
using Google.Protobuf.WellKnownTypes;

namespace Farm.Cli.Tests.Formatting;

/// <summary><c>farm status</c> for who started an execution, the revisions it builds and its approvals.</summary>
public sealed class ExecutionReportSourcesTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 10, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Deadline = new(2025, 3, 17, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Decided = new(2025, 3, 10, 12, 30, 0, TimeSpan.Zero);

    private static string Local(DateTimeOffset time) => time.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private static Execution Gated(ActionExecution signOff)
    {
        var execution = new Execution
        {
            Id = "gated-4", Pipeline = "gated", PipelineVersion = 2, Status = ExecutionStatus.InProgress, Trigger = "webhook",
            TriggeredBy = "github push by alice (delivery 72d3)",
            Sources =
            {
                new SourceRevision
                {
                    Action = "source", Repository = "https://git.example.com/acme/site.git", Ref = "main",
                    Commit = "3f2a9c1d0e4b5a6978877665544332211aabbccd", Author = "Alice Doe", Message = "Fix the  build",
                    Url = "https://git.example.com/acme/site/commit/3f2a9c1d0e4b5a6978877665544332211aabbccd",
                },
                new SourceRevision { Action = "docs", Repository = "https://git.example.com/acme/docs.git", Commit = "0123456789abcdef" },
            },
        };
        var gate = new StageExecution { Name = "Gate", Status = ExecutionStatus.InProgress };
        gate.Actions.Add(signOff);
        execution.Stages.Add(gate);
        return execution;
    }

    private static ActionExecution SignOff(ExecutionStatus status, Approval approval) =>
        new() { Name = "sign-off", Type = "approval", Status = status, Attempt = 1, Approval = approval };

    private static Approval Question() => new()
    {
        Message = "Ship 3f2a9c1 to production?", ReviewUrl = "https://staging.example.com", Deadline = Timestamp.FromDateTimeOffset(Deadline),
    };

    [Fact]
    public void Header_shows_who_triggered_the_execution()
    {
        var lines = ExecutionReport.Format(Gated(SignOff(ExecutionStatus.InProgress, Question())), Now).Split('\n');

        Assert.Contains("Trigger       webhook", lines);
        Assert.Contains("Triggered by  github push by alice (delivery 72d3)", lines);
    }

    [Fact]
    public void Sources_show_repository_ref_short_commit_author_message_and_link()
    {
        var report = ExecutionReport.Format(Gated(SignOff(ExecutionStatus.InProgress, Question())), Now);

        Assert.Contains(
            "\nSources\n"
            + "  source  https://git.example.com/acme/site.git main @ 3f2a9c1\n"
            + "          Alice Doe: Fix the build\n"
            + "          https://git.example.com/acme/site/commit/3f2a9c1d0e4b5a6978877665544332211aabbccd\n"
            + "  docs    https://git.example.com/acme/docs.git @ 0123456\n"
            + "\nSTAGE/ACTION",
            report);
    }

    [Fact]
    public void Waiting_approval_shows_its_question_review_page_deadline_and_the_command_that_approves_it()
    {
        var report = ExecutionReport.Format(Gated(SignOff(ExecutionStatus.InProgress, Question())), Now);

        Assert.EndsWith(
            "\nGate/sign-off\n"
            + "  Approval  Ship 3f2a9c1 to production?\n"
            + "  Review    https://staging.example.com\n"
            + $"  Deadline  {Local(Deadline)}\n"
            + "  Decision  waiting: farm approve gated-4 Gate/sign-off (or farm reject)\n",
            report);
    }

    [Fact]
    public void Decided_approval_shows_who_decided_when_and_why()
    {
        var approval = Question();
        approval.Decision = "rejected";
        approval.DecidedBy = "bob@desk";
        approval.DecidedAt = Timestamp.FromDateTimeOffset(Decided);
        approval.Comment = "staging is red";

        var report = ExecutionReport.Format(Gated(SignOff(ExecutionStatus.Failed, approval)), Now);

        Assert.EndsWith($"  Decision  rejected by bob@desk at {Local(Decided)}: staging is red\n", report);
    }

    [Fact]
    public void Approval_that_ended_undecided_shows_no_decision()
    {
        var report = ExecutionReport.Format(Gated(SignOff(ExecutionStatus.Failed, Question())), Now);

        Assert.EndsWith($"  Deadline  {Local(Deadline)}\n", report);
        Assert.DoesNotContain("Decision", report);
    }

    [Fact]
    public void Execution_without_stages_still_shows_its_sources()
    {
        var execution = Gated(SignOff(ExecutionStatus.Pending, new Approval()));
        execution.Stages.Clear();

        var report = ExecutionReport.Format(execution, Now);

        Assert.EndsWith("\nSources\n"
            + "  source  https://git.example.com/acme/site.git main @ 3f2a9c1\n"
            + "          Alice Doe: Fix the build\n"
            + "          https://git.example.com/acme/site/commit/3f2a9c1d0e4b5a6978877665544332211aabbccd\n"
            + "  docs    https://git.example.com/acme/docs.git @ 0123456\n",
            report);
    }
}
