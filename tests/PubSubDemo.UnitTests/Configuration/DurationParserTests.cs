using PubSubDemo.Shared.Configuration;
using PubSubDemo.Messaging.Configuration;

namespace PubSubDemo.UnitTests.Configuration;

public sealed class DurationParserTests
{
    [Theory]
    [InlineData("2", 2_000)]
    [InlineData("2.0", 2_000)]
    [InlineData("0.5", 500)]
    [InlineData("500ms", 500)]
    [InlineData("500MS", 500)]
    [InlineData("3s", 3_000)]
    [InlineData("1m", 60_000)]
    [InlineData("1.5h", 5_400_000)]
    [InlineData("00:00:02", 2_000)]
    [InlineData("00:01:30", 90_000)]
    [InlineData("00:00:00.250", 250)]
    [InlineData(" 2 ", 2_000)]
    [InlineData("0", 0)]
    public void Duration_forms_people_write_are_read(string text, double milliseconds)
    {
        Assert.True(DurationParser.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Fact]
    public void Microseconds_are_read()
    {
        Assert.True(DurationParser.TryParse("250us", out var value));
        Assert.Equal(TimeSpan.FromTicks(2_500), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("-1")]
    [InlineData("-0.5s")]
    [InlineData("-00:00:02")]
    [InlineData("garbage")]
    [InlineData("2 minutes")]
    [InlineData("ms")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("1e400")]
    [InlineData("99999999999999h")]
    [InlineData("2,5")]
    public void Bad_durations_are_refused(string text)
    {
        Assert.False(DurationParser.TryParse(text, out _));
    }

    [Theory]
    [InlineData(2_000, "2s")]
    [InlineData(1_500, "1.5s")]
    [InlineData(500, "500ms")]
    [InlineData(0.25, "0.25ms")]
    public void Format_uses_seconds_from_one_second_up_and_milliseconds_below(double milliseconds, string expected)
    {
        Assert.Equal(expected, DurationParser.Format(TimeSpan.FromMilliseconds(milliseconds)));
    }
}
