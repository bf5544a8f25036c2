using PubSubDemo.Subscriber;

namespace PubSubDemo.UnitTests.Subscriber;

public sealed class SubscriberSettingsTests
{
    [Fact]
    public void Defaults_are_valid()
    {
        var (settings, errors) = TestSettings.Load<SubscriberSettings>();

        Assert.Empty(errors);
        Assert.True(settings.LogMessages);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.SummaryInterval);
        Assert.Equal(200, settings.BatchSize);
        Assert.Equal(10_000, settings.ChannelBuffer);
        Assert.Equal("", settings.ConsumerName);
        Assert.Equal(5, settings.MaxAttempts);
        Assert.Equal(TimeSpan.Zero, settings.HandlerDelay);
        Assert.Null(settings.FailOn);
        Assert.Equal("$", settings.StreamStart);
    }

    [Fact]
    public void Every_value_is_read_from_its_variable()
    {
        var (settings, errors) = TestSettings.Load<SubscriberSettings>(
            ("LOG_MESSAGES", "false"),
            ("SUMMARY_INTERVAL", "1s"),
            ("BATCH_SIZE", "50"),
            ("CHANNEL_BUFFER", "100"),
            ("CONSUMER_NAME", "worker-1"),
            ("HEARTBEAT_TTL", "00:00:20"),
            ("MAX_ATTEMPTS", "3"),
            ("CLAIM_IDLE", "2m"),
            ("IDLE_POLL", "250ms"),
            ("HANDLER_DELAY", "0.1"),
            ("FAIL_ON", "#13"),
            ("STREAM_START", "0"));

        Assert.Empty(errors);
        Assert.False(settings.LogMessages);
        Assert.Equal(TimeSpan.FromSeconds(1), settings.SummaryInterval);
        Assert.Equal(50, settings.BatchSize);
        Assert.Equal(100, settings.ChannelBuffer);
        Assert.Equal("worker-1", settings.ConsumerName);
        Assert.Equal(TimeSpan.FromSeconds(20), settings.HeartbeatTtl);
        Assert.Equal(3, settings.MaxAttempts);
        Assert.Equal(TimeSpan.FromMinutes(2), settings.ClaimIdle);
        Assert.Equal(TimeSpan.FromMilliseconds(250), settings.IdlePoll);
        Assert.Equal(TimeSpan.FromMilliseconds(100), settings.HandlerDelay);
        Assert.Equal("#13", settings.FailOn);
        Assert.Equal("0", settings.StreamStart);
    }

    [Theory]
    [InlineData("$")]
    [InlineData("0")]
    [InlineData("1700000000000-0")]
    [InlineData("1700000000000")]
    public void STREAM_START_accepts_dollar_zero_and_stream_ids(string value)
    {
        var (settings, errors) = TestSettings.Load<SubscriberSettings>(("STREAM_START", value));

        Assert.Empty(errors);
        Assert.Equal(value, settings.StreamStart);
    }

    [Theory]
    [InlineData("latest")]
    [InlineData("-1")]
    [InlineData("1700000000000-")]
    [InlineData(">")]
    public void Bad_STREAM_START_is_an_error_naming_it(string value)
    {
        var (_, errors) = TestSettings.Load<SubscriberSettings>(("STREAM_START", value));

        Assert.Equal(
            $"STREAM_START='{value}' is not valid: use $ (new entries only), 0 (the whole history) or a stream id such as 1700000000000-0.",
            Assert.Single(errors));
    }

    [Fact]
    public void CONSUMER_NAME_with_a_space_is_an_error()
    {
        var (_, errors) = TestSettings.Load<SubscriberSettings>(("CONSUMER_NAME", "worker one"));

        Assert.Equal("CONSUMER_NAME='worker one' is not valid: a consumer name cannot contain spaces.", Assert.Single(errors));
    }

    [Theory]
    [InlineData("BATCH_SIZE", "0")]
    [InlineData("BATCH_SIZE", "5001")]
    [InlineData("CHANNEL_BUFFER", "0")]
    [InlineData("MAX_ATTEMPTS", "0")]
    [InlineData("MAX_ATTEMPTS", "1001")]
    [InlineData("HEARTBEAT_TTL", "500ms")]
    [InlineData("CLAIM_IDLE", "50ms")]
    [InlineData("IDLE_POLL", "5ms")]
    [InlineData("HANDLER_DELAY", "-1")]
    [InlineData("SUMMARY_INTERVAL", "0")]
    [InlineData("LOG_MESSAGES", "sometimes")]
    public void Out_of_range_values_are_one_error_naming_the_variable_and_value(string name, string value)
    {
        var (_, errors) = TestSettings.Load<SubscriberSettings>((name, value));

        Assert.StartsWith($"{name}='{value}' is not valid: ", Assert.Single(errors), StringComparison.Ordinal);
    }
}
