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
}
