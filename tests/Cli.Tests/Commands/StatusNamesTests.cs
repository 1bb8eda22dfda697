using Farm.Api.V1;
using Farm.Cli.Commands;

namespace Farm.Cli.Tests.Commands;

public sealed class StatusNamesTests
{
    [Theory]
    [InlineData("succeeded", ExecutionStatus.Succeeded)]
    [InlineData("failed", ExecutionStatus.Failed)]
    [InlineData("in-progress", ExecutionStatus.InProgress)]
    [InlineData("in_progress", ExecutionStatus.InProgress)]
    [InlineData("running", ExecutionStatus.InProgress)]
    [InlineData("Stopped", ExecutionStatus.Stopped)]
    [InlineData("STOPPING", ExecutionStatus.Stopping)]
    [InlineData("superseded", ExecutionStatus.Superseded)]
    [InlineData("abandoned", ExecutionStatus.Abandoned)]
    [InlineData("skipped", ExecutionStatus.Skipped)]
    [InlineData("pending", ExecutionStatus.Pending)]
    [InlineData("queued", ExecutionStatus.Queued)]
    public void Name_maps_to_its_status(string name, ExecutionStatus expected)
    {
        Assert.Equal(expected, StatusNames.TryParse(name));
    }

    [Theory]
    [InlineData("success")]
    [InlineData("unspecified")]
    [InlineData("")]
    public void Unknown_name_maps_to_nothing(string name)
    {
        Assert.Null(StatusNames.TryParse(name));
    }

    [Fact]
    public void ParseAll_splits_commas_and_drops_repeats_in_order()
    {
        var statuses = StatusNames.ParseAll(["failed,stopped", "running", "failed", " superseded "]);

        Assert.Equal([ExecutionStatus.Failed, ExecutionStatus.Stopped, ExecutionStatus.InProgress, ExecutionStatus.Superseded], statuses);
    }

    [Fact]
    public void ParseAll_refuses_an_unknown_name_and_lists_the_valid_ones()
    {
        var error = Assert.Throws<CliException>(() => StatusNames.ParseAll(["failed,oops"]));

        Assert.Equal(
            "--status 'oops' is not a status; use one of pending, queued, in-progress, running, succeeded, failed, stopping, stopped, superseded, abandoned, skipped.",
            error.Message);
    }

    [Fact]
    public void Name_of_in_progress_is_the_typed_form_not_the_table_word()
    {
        Assert.Equal("in-progress", StatusNames.Name(ExecutionStatus.InProgress));
        Assert.Equal("stopped", StatusNames.Name(ExecutionStatus.Stopped));
    }
}
