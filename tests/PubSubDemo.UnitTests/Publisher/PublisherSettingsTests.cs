using PubSubDemo.Publisher;

namespace PubSubDemo.UnitTests.Publisher;

public sealed class PublisherSettingsTests
{
    [Fact]
    public void Defaults_send_one_message_every_two_seconds_until_stopped()
    {
        var (settings, errors) = TestSettings.Load<PublisherSettings>();

        Assert.Empty(errors);
        Assert.Equal(TimeSpan.FromSeconds(2), settings.Interval);
        Assert.Null(settings.Rate);
        Assert.Equal(0, settings.MessageCount);
        Assert.Null(settings.Duration);
        Assert.Equal(0, settings.MessageSize);
        Assert.True(settings.LogMessages);
        Assert.Null(settings.StreamMaxLength);
    }

    [Theory]
    [InlineData("2", 2_000)]
    [InlineData("2.0", 2_000)]
    [InlineData("0.1", 100)]
    [InlineData("500ms", 500)]
    [InlineData("00:00:02", 2_000)]
    [InlineData("1m", 60_000)]
    [InlineData("0", 0)]
    public void PUBLISH_INTERVAL_accepts_seconds_units_and_timespans(string value, double milliseconds)
    {
        var (settings, errors) = TestSettings.Load<PublisherSettings>(("PUBLISH_INTERVAL", value));

        Assert.Empty(errors);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), settings.Interval);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("-00:00:01")]
    [InlineData("soon")]
    public void Negative_or_unreadable_PUBLISH_INTERVAL_is_an_error_naming_it(string value)
    {
        var (settings, errors) = TestSettings.Load<PublisherSettings>(("PUBLISH_INTERVAL", value));

        Assert.Equal(
            $"PUBLISH_INTERVAL='{value}' is not valid: use a duration >= 0 such as 2, 2.0, 500ms or 00:00:02.",
            Assert.Single(errors));
        Assert.Equal(TimeSpan.FromSeconds(2), settings.Interval);
    }

    [Theory]
    [InlineData("1000", 1000.0)]
    [InlineData("0.5", 0.5)]
    [InlineData("0", 0.0)]
    public void PUBLISH_RATE_is_read_as_messages_per_second(string value, double expected)
    {
        var (settings, errors) = TestSettings.Load<PublisherSettings>(("PUBLISH_RATE", value));

        Assert.Empty(errors);
        Assert.Equal(expected, settings.Rate);
    }

    [Theory]
    [InlineData("-5")]
    [InlineData("fast")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("20000000")]
    public void Bad_PUBLISH_RATE_is_an_error_naming_it(string value)
    {
        var (settings, errors) = TestSettings.Load<PublisherSettings>(("PUBLISH_RATE", value));

        Assert.StartsWith($"PUBLISH_RATE='{value}' is not valid", Assert.Single(errors), StringComparison.Ordinal);
        Assert.Null(settings.Rate);
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("50", true)]
    [InlineData("100", true)]
    [InlineData("1000", false)]
    [InlineData("0", false)]
    public void Per_message_log_lines_are_on_only_at_demo_rates(string? rate, bool expected)
    {
        var (settings, _) = TestSettings.Load<PublisherSettings>(("PUBLISH_RATE", rate));

        Assert.Equal(expected, settings.LogMessages);
    }

    [Fact]
    public void LOG_MESSAGES_overrides_the_rate_based_default()
    {
        var (settings, errors) = TestSettings.Load<PublisherSettings>(("PUBLISH_RATE", "5000"), ("LOG_MESSAGES", "true"));

        Assert.Empty(errors);
        Assert.True(settings.LogMessages);
    }

    [Fact]
    public void MESSAGE_COUNT_is_read()
    {
        var (settings, errors) = TestSettings.Load<PublisherSettings>(("MESSAGE_COUNT", "10"));

        Assert.Empty(errors);
        Assert.Equal(10, settings.MessageCount);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("ten")]
    [InlineData("1.5")]
    public void Bad_MESSAGE_COUNT_is_an_error_naming_it(string value)
    {
        var (settings, errors) = TestSettings.Load<PublisherSettings>(("MESSAGE_COUNT", value));

        Assert.Equal($"MESSAGE_COUNT='{value}' is not valid: use a whole number >= 0.", Assert.Single(errors));
        Assert.Equal(0, settings.MessageCount);
    }

    [Fact]
    public void DURATION_is_read()
    {
        var (settings, errors) = TestSettings.Load<PublisherSettings>(("DURATION", "30s"));

        Assert.Empty(errors);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.Duration);
    }

    [Theory]
    [InlineData("0", null)]
    [InlineData("1000", 1000L)]
    public void STREAM_MAXLEN_zero_keeps_everything(string value, long? expected)
    {
        var (settings, errors) = TestSettings.Load<PublisherSettings>(("STREAM_MAXLEN", value));

        Assert.Empty(errors);
        Assert.Equal(expected, settings.StreamMaxLength);
    }

    [Theory]
    [InlineData("news.*")]
    [InlineData("news.?")]
    [InlineData("news.[ab]")]
    public void Glob_CHANNEL_is_refused_by_the_publisher(string channel)
    {
        var (_, errors) = TestSettings.Load<PublisherSettings>(("CHANNEL", channel));

        var error = Assert.Single(errors);
        Assert.StartsWith($"CHANNEL='{channel}' is not valid: ", error, StringComparison.Ordinal);
        Assert.Contains("publisher", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Plain_CHANNEL_is_fine_for_the_publisher()
    {
        var (_, errors) = TestSettings.Load<PublisherSettings>(("CHANNEL", "news.sports"));

        Assert.Empty(errors);
    }

    [Theory]
    [InlineData("PUBLISH_BUFFER", "0")]
    [InlineData("BATCH_SIZE", "0")]
    [InlineData("BATCH_SIZE", "10001")]
    [InlineData("MESSAGE_SIZE", "-1")]
    [InlineData("SUMMARY_INTERVAL", "10ms")]
    public void Out_of_range_sizes_and_intervals_are_errors_naming_the_variable(string name, string value)
    {
        var (_, errors) = TestSettings.Load<PublisherSettings>((name, value));

        Assert.StartsWith($"{name}='{value}' is not valid", Assert.Single(errors), StringComparison.Ordinal);
    }
}
