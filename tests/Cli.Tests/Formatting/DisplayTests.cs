using Farm.Cli.Formatting;

namespace Farm.Cli.Tests.Formatting;

public sealed class DisplayTests
{
    [Theory]
    [InlineData(0.45, "0.4s")]
    [InlineData(59.99, "59.9s")]
    [InlineData(125, "2m05s")]
    [InlineData(3720, "1h02m")]
    [InlineData(-3, "0.0s")]
    public void Duration_is_short_and_precise_where_it_matters(double seconds, string expected)
    {
        Assert.Equal(expected, Display.Duration(TimeSpan.FromSeconds(seconds)));
    }

    [Fact]
    public void Table_pads_columns_and_shows_empty_cells_as_dashes()
    {
        var table = new TextTable("ID", "STATUS", "DURATION");
        table.AddRow("build-10", "running", "");
        table.AddPartialRow("build-9", "failed");

        Assert.Equal("ID        STATUS   DURATION\nbuild-10  running  -\nbuild-9   failed\n", table.ToString());
    }

    [Theory]
    [InlineData(0, "0 B")]
    [InlineData(1023, "1023 B")]
    [InlineData(1024, "1.0 KiB")]
    [InlineData(1536, "1.5 KiB")]
    [InlineData(1048575, "1023.9 KiB")]
    [InlineData(3355443, "3.1 MiB")]
    [InlineData(1181116006, "1.0 GiB")]
    public void Size_is_binary_units_truncated_to_tenths(long bytes, string expected)
    {
        Assert.Equal(expected, Display.Size(bytes));
    }

    [Theory]
    [InlineData(Farm.Api.V1.ExecutionStatus.Stopping, "stopping", false)]
    [InlineData(Farm.Api.V1.ExecutionStatus.Stopped, "stopped", true)]
    [InlineData(Farm.Api.V1.ExecutionStatus.Superseded, "superseded", true)]
    [InlineData(Farm.Api.V1.ExecutionStatus.Abandoned, "abandoned", true)]
    [InlineData(Farm.Api.V1.ExecutionStatus.Skipped, "skipped", true)]
    [InlineData(Farm.Api.V1.ExecutionStatus.InProgress, "running", false)]
    public void New_statuses_have_words_and_know_whether_they_are_final(Farm.Api.V1.ExecutionStatus status, string word, bool final)
    {
        Assert.Equal(word, Display.Status(status));
        Assert.Equal(final, Display.IsFinal(status));
    }
}
