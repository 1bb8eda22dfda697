using System.Globalization;
using Farm.Api.V1;
using Farm.Cli.Commands;
using Google.Protobuf.WellKnownTypes;

namespace Farm.Cli.Tests.Commands;

public sealed class ApprovalsCommandTests
{
    private static readonly DateTimeOffset Since = new(2025, 3, 10, 9, 0, 0, TimeSpan.Zero);

    private static string Local(DateTimeOffset time) => time.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    [Fact]
    public void Table_lists_each_approval_with_its_review_page_under_it()
    {
        // Arrange
        var response = new ListApprovalsResponse
        {
            Approvals =
            {
                new PendingApproval
                {
                    ExecutionId = "gated-4", Pipeline = "gated", Stage = "Gate", Action = "sign-off", Message = "Ship 1.4.2\nto production?",
                    ReviewUrl = "https://staging.example.com/1.4.2", WaitingSince = Timestamp.FromDateTimeOffset(Since),
                    Deadline = Timestamp.FromDateTimeOffset(Since.AddDays(7)),
                },
                new PendingApproval
                {
                    ExecutionId = "docs-12", Pipeline = "docs", Stage = "Publish", Action = "ok", Message = "Publish?",
                    WaitingSince = Timestamp.FromDateTimeOffset(Since.AddHours(1)), Deadline = Timestamp.FromDateTimeOffset(Since.AddDays(1)),
                },
            },
        };

        // Act
        var lines = ApprovalsCommand.Table(response).Split('\n');

        // Assert
        Assert.Equal(
            [
                "EXECUTION  STAGE/ACTION   WAITING-SINCE        DEADLINE             MESSAGE",
                $"gated-4    Gate/sign-off  {Local(Since)}  {Local(Since.AddDays(7))}  Ship 1.4.2 to production?",
                "  review: https://staging.example.com/1.4.2",
                $"docs-12    Publish/ok     {Local(Since.AddHours(1))}  {Local(Since.AddDays(1))}  Publish?",
                "",
            ],
            lines);
    }

    [Fact]
    public void Table_without_approvals_is_only_the_header()
    {
        Assert.Equal("EXECUTION  STAGE/ACTION  WAITING-SINCE  DEADLINE  MESSAGE\n", ApprovalsCommand.Table(new ListApprovalsResponse()));
    }
}
