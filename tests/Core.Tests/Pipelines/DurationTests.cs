using Farm.Core.Pipelines;

namespace Farm.Core.Tests.Pipelines;

public sealed class DurationTests
{
    [Theory]
    [InlineData("45s", 45)]
    [InlineData("90s", 90)]
    [InlineData("10m", 600)]
    [InlineData("90m", 5400)]
    [InlineData("1h", 3600)]
    [InlineData("1h30m", 5400)]
    [InlineData("2h15m10s", 8110)]
    [InlineData("1h10s", 3610)]
    [InlineData("0s", 0)]
    [InlineData("600", 600)]
    [InlineData("0", 0)]
    public void TryParse_reads_hours_minutes_seconds_and_bare_seconds(string text, int expectedSeconds)
    {
        // Act
        var parsed = Duration.TryParse(text, out var value);

        // Assert
        Assert.True(parsed);
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), value);
        Assert.Equal(value, Duration.Parse(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("h")]
    [InlineData("1m30h")]
    [InlineData("30s1m")]
    [InlineData("1h 30m")]
    [InlineData(" 10m")]
    [InlineData("10M")]
    [InlineData("1d")]
    [InlineData("1.5h")]
    [InlineData("-5s")]
    [InlineData("10ms")]
    [InlineData("1234567890s")]
    public void TryParse_rejects_other_forms(string? text)
    {
        // Act
        var parsed = Duration.TryParse(text, out var value);

        // Assert
        Assert.False(parsed);
        Assert.Equal(TimeSpan.Zero, value);
    }

    [Fact]
    public void Parse_throws_FormatException_naming_the_text()
    {
        // Act
        var exception = Assert.Throws<FormatException>(() => Duration.Parse("soon"));

        // Assert
        Assert.Equal("'soon' is not a duration: write it like 90s, 10m, 1h30m or a whole number of seconds.", exception.Message);
    }

    [Theory]
    [InlineData(5400, "1h30m")]
    [InlineData(600, "10m")]
    [InlineData(45, "45s")]
    [InlineData(3600, "1h")]
    [InlineData(8110, "2h15m10s")]
    [InlineData(3610, "1h10s")]
    [InlineData(0, "0s")]
    [InlineData(129600, "36h")]
    public void Format_writes_the_shortest_form_without_zero_parts(int seconds, string expected)
    {
        // Act
        var text = Duration.Format(TimeSpan.FromSeconds(seconds));

        // Assert
        Assert.Equal(expected, text);
        Assert.Equal(TimeSpan.FromSeconds(seconds), Duration.Parse(text));
    }

    [Fact]
    public void Format_drops_fractions_of_a_second()
    {
        // Act
        var text = Duration.Format(TimeSpan.FromMilliseconds(61_999));

        // Assert
        Assert.Equal("1m1s", text);
    }

    [Fact]
    public void Format_rejects_negative_durations()
    {
        // Act
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => Duration.Format(TimeSpan.FromSeconds(-1)));

        // Assert
        Assert.Equal("value", exception.ParamName);
    }
}
