using Farm.Cli.Commands;

namespace Farm.Cli.Tests.Commands;

public sealed class TimeArgumentTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 10, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeZoneInfo PlusTwo = TimeZoneInfo.CreateCustomTimeZone("test+02", TimeSpan.FromHours(2), "test+02", "test+02");

    [Theory]
    [InlineData("45s", "2025-03-10T11:59:15+00:00")]
    [InlineData("30m", "2025-03-10T11:30:00+00:00")]
    [InlineData("2h", "2025-03-10T10:00:00+00:00")]
    [InlineData("3d", "2025-03-07T12:00:00+00:00")]
    [InlineData("1w", "2025-03-03T12:00:00+00:00")]
    [InlineData(" 2h ", "2025-03-10T10:00:00+00:00")]
    public void Age_counts_back_from_now(string text, string expected)
    {
        Assert.Equal(DateTimeOffset.Parse(expected), TimeArgument.TryParse(text, Now, PlusTwo));
    }

    [Theory]
    [InlineData("2025-01-02T15:04:05Z", "2025-01-02T15:04:05+00:00")]
    [InlineData("2025-01-02T15:04:05z", "2025-01-02T15:04:05+00:00")]
    [InlineData("2025-01-02 15:04Z", "2025-01-02T15:04:00+00:00")]
    [InlineData("2025-01-02T15:04:05+05:30", "2025-01-02T15:04:05+05:30")]
    [InlineData("2025-01-02T15:04:05.25-03:00", "2025-01-02T15:04:05.25-03:00")]
    public void Time_with_a_zone_is_taken_as_written(string text, string expected)
    {
        var parsed = TimeArgument.TryParse(text, Now, PlusTwo);

        Assert.Equal(DateTimeOffset.Parse(expected), parsed);
        Assert.Equal(DateTimeOffset.Parse(expected).Offset, parsed!.Value.Offset);
    }

    [Theory]
    [InlineData("2025-01-02", "2025-01-02T00:00:00+02:00")]
    [InlineData("2025-01-02T15:04", "2025-01-02T15:04:00+02:00")]
    [InlineData("2025-01-02 15:04:05", "2025-01-02T15:04:05+02:00")]
    public void Time_without_a_zone_is_in_the_readers_zone(string text, string expected)
    {
        Assert.Equal(DateTimeOffset.Parse(expected), TimeArgument.TryParse(text, Now, PlusTwo));
    }

    [Theory]
    [InlineData("3x")]
    [InlineData("2 h")]
    [InlineData("-2h")]
    [InlineData("h")]
    [InlineData("01/02/2025")]
    [InlineData("2025-13-01")]
    [InlineData("2025-01-02T25:00")]
    [InlineData("yesterday")]
    [InlineData("")]
    [InlineData("999999999w")]
    public void Anything_else_is_refused(string text)
    {
        Assert.Null(TimeArgument.TryParse(text, Now, PlusTwo));
    }

    [Fact]
    public void Malformed_message_names_the_option_the_text_and_both_forms()
    {
        var message = TimeArgument.Malformed("--since", "3x");

        Assert.StartsWith("--since '3x' is not a time;", message);
        Assert.Contains("2025-01-02T15:04:05Z", message);
        Assert.Contains("2h", message);
    }
}
