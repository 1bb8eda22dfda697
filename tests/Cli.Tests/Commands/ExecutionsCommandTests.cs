using Farm.Api.V1;
using Farm.Cli.Commands;
using Google.Protobuf.WellKnownTypes;

namespace Farm.Cli.Tests.Commands;

public sealed class ExecutionsCommandTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 10, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Filters_parse_into_their_options()
    {
        var parse = FarmCommandLine.Create().Parse(
            ["executions", "hello", "--status", "failed", "-s", "stopped,superseded", "--trigger", "rollback",
             "--since", "2h", "--until", "2025-03-10T11:00:00Z", "--limit", "20", "--page-token", "abc=", "--all"]);

        Assert.Empty(parse.Errors);
        Assert.Equal(["failed", "stopped,superseded"], parse.GetValue<string[]>("--status") ?? []);
        Assert.Equal("rollback", parse.GetValue<string?>("--trigger"));
        Assert.Equal("2h", parse.GetValue<string?>("--since"));
        Assert.Equal("2025-03-10T11:00:00Z", parse.GetValue<string?>("--until"));
        Assert.Equal(20, parse.GetValue<int>("--limit"));
        Assert.Equal("abc=", parse.GetValue<string?>("--page-token"));
        Assert.True(parse.GetValue<bool>("--all"));
    }

    [Fact]
    public void Bad_status_name_is_a_usage_error_naming_it()
    {
        var parse = FarmCommandLine.Create().Parse(["executions", "hello", "--status", "failed,done"]);

        Assert.StartsWith("--status 'done' is not a status; use one of pending,", Assert.Single(parse.Errors).Message);
    }

    [Theory]
    [InlineData("--since", "3x")]
    [InlineData("--until", "last tuesday")]
    [InlineData("--since", "2025-02-30")]
    public void Bad_time_is_a_usage_error_naming_the_option(string option, string time)
    {
        var parse = FarmCommandLine.Create().Parse(["executions", "hello", option, time]);

        Assert.StartsWith($"{option} '{time}' is not a time;", Assert.Single(parse.Errors).Message);
    }

    [Fact]
    public void Request_carries_every_filter()
    {
        var request = ExecutionsCommand.Request(
            "hello", ["failed,stopped", "in-progress"], " rollback ", "3d", "2025-03-10T09:30:00Z", 25, "tok", Now, TimeZoneInfo.Utc);

        Assert.Equal("hello", request.Pipeline);
        Assert.Equal([ExecutionStatus.Failed, ExecutionStatus.Stopped, ExecutionStatus.InProgress], request.Statuses);
        Assert.Equal("rollback", request.Trigger);
        Assert.Equal(Timestamp.FromDateTimeOffset(new DateTimeOffset(2025, 3, 7, 12, 0, 0, TimeSpan.Zero)), request.StartedAfter);
        Assert.Equal(Timestamp.FromDateTimeOffset(new DateTimeOffset(2025, 3, 10, 9, 30, 0, TimeSpan.Zero)), request.StartedBefore);
        Assert.Equal(25, request.Limit);
        Assert.Equal("tok", request.PageToken);
    }

    [Fact]
    public void Request_without_filters_leaves_them_unset()
    {
        var request = ExecutionsCommand.Request("hello", [], null, null, null, 0, null, Now, TimeZoneInfo.Utc);

        Assert.Empty(request.Statuses);
        Assert.Equal("", request.Trigger);
        Assert.Null(request.StartedAfter);
        Assert.Null(request.StartedBefore);
        Assert.Equal(0, request.Limit);
        Assert.Equal("", request.PageToken);
    }

    [Fact]
    public void Request_with_since_not_before_until_is_refused()
    {
        var error = Assert.Throws<CliException>(() =>
            ExecutionsCommand.Request("hello", [], null, "1h", "2h", 0, null, Now, TimeZoneInfo.Utc));

        Assert.Equal("--since 1h is not before --until 2h, so no execution could match.", error.Message);
    }

    [Fact]
    public void Next_page_command_repeats_the_filters_with_absolute_times_and_quotes_what_needs_it()
    {
        var request = ExecutionsCommand.Request(
            "hello", ["failed", "running"], "manual", "2h", null, 10, null, Now, TimeZoneInfo.Utc);

        var command = ExecutionsCommand.NextPageCommand(request, "p/2+x=", "http://ci:7070");

        Assert.Equal(
            "farm executions hello --status failed --status in-progress --trigger manual --since 2025-03-10T10:00:00Z "
            + "--limit 10 --controller http://ci:7070 --page-token p/2+x=",
            command);
    }

    [Fact]
    public void Next_page_command_of_a_plain_list_only_adds_the_token()
    {
        var request = ExecutionsCommand.Request("my pipe", [], null, null, null, 0, null, Now, TimeZoneInfo.Utc);

        var command = ExecutionsCommand.NextPageCommand(request, "it's", null);

        Assert.Equal(@"farm executions 'my pipe' --page-token 'it'\''s'", command);
    }

    [Fact]
    public void Table_shows_the_trigger_column()
    {
        var response = new ListExecutionsResponse();
        response.Executions.Add(new Execution { Id = "hello-5", Status = ExecutionStatus.Stopped, Trigger = "manual" });
        response.Executions.Add(new Execution { Id = "hello-4", Status = ExecutionStatus.Superseded, Trigger = "rollback" });

        var table = ExecutionsCommand.Table(response, Now);

        Assert.Equal(
            "ID       STATUS      TRIGGER   STARTED  DURATION\n"
            + "hello-5  stopped     manual    -        -\n"
            + "hello-4  superseded  rollback  -        -\n",
            table);
    }
}
