using PubSubDemo.Subscriber.Dedupe;
using PubSubDemo.Subscriber.Selection;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Subscriber;
using PubSubDemo.Messaging.Selection;

namespace PubSubDemo.UnitTests.Selection;

/// <summary>CHANNEL's list, FILTER and HANDLE_RATE as settings: read once, each bad value one line naming the variable.</summary>
public sealed class SelectionSettingsTests
{
    [Theory]
    [InlineData("order,shipment", new[] { "order", "shipment" })]
    [InlineData(" orders.* , audit ", new[] { "orders.*", "audit" })]
    [InlineData("messages", new[] { "messages" })]
    public void CHANNEL_is_a_list_of_entries_in_the_order_written(string channel, string[] entries)
    {
        var (settings, errors) = TestSettings.Load<MessagingSettings>(("CHANNEL", channel));

        Assert.Empty(errors);
        Assert.Equal(entries, settings.Channels);
    }

    [Theory]
    [InlineData("order,,shipment", "empty")]
    [InlineData("order,", "empty")]
    [InlineData("order,shipment,order", "'order' is listed twice")]
    public void A_CHANNEL_list_with_an_empty_or_repeated_entry_is_one_error_naming_CHANNEL(string channel, string reason)
    {
        var (_, errors) = TestSettings.Load<MessagingSettings>(("CHANNEL", channel));

        var error = Assert.Single(errors);
        Assert.StartsWith($"CHANNEL='{channel}' is not valid:", error, StringComparison.Ordinal);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_glob_anywhere_in_the_list_with_sharded_pub_sub_is_an_error_naming_CHANNEL_and_PUBSUB_MODE()
    {
        var (_, errors) = TestSettings.Load<MessagingSettings>(("CHANNEL", "audit,orders.*"), ("PUBSUB_MODE", "sharded"));

        var error = Assert.Single(errors);
        Assert.StartsWith("PUBSUB_MODE='sharded' is not valid:", error, StringComparison.Ordinal);
        Assert.Contains("CHANNEL='audit,orders.*'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_publisher_refuses_a_CHANNEL_list()
    {
        var (_, errors) = TestSettings.Load<PubSubDemo.Publisher.PublisherSettings>(("CHANNEL", "order,shipment"));

        var error = Assert.Single(errors);
        Assert.StartsWith("CHANNEL='order,shipment' is not valid: the publisher sends to one channel", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_FILTER_or_HANDLE_RATE_every_message_goes_to_the_handler_unlimited()
    {
        var (settings, errors) = TestSettings.Load<SelectionSettings>();

        Assert.Empty(errors);
        Assert.Null(settings.Filter);
        Assert.Null(settings.HandleRate);
        Assert.False(new HandleRate(settings).Limited);
    }

    [Fact]
    public void A_FILTER_that_does_not_parse_is_one_error_naming_FILTER_and_the_position()
    {
        var (_, errors) = TestSettings.Load<SelectionSettings>(("FILTER", "sender=web-1;colour=red"));

        Assert.Equal("FILTER='sender=web-1;colour=red' is not valid: at position 14: unknown field 'colour'; use id, content, sender or seq.", Assert.Single(errors));
    }

    [Theory]
    [InlineData("fast")]
    [InlineData("-1")]
    [InlineData("2000000")]
    public void A_bad_HANDLE_RATE_is_one_error_naming_it(string rate)
    {
        var (_, errors) = TestSettings.Load<SelectionSettings>(("HANDLE_RATE", rate));

        Assert.StartsWith($"HANDLE_RATE='{rate}' is not valid:", Assert.Single(errors), StringComparison.Ordinal);
    }

    [Fact]
    public void A_queue_round_may_wait_a_step_per_partition_for_every_loop_ahead_of_it_before_liveness_fails()
    {
        var (settings, _) = TestSettings.Load<SelectionSettings>(("HANDLE_RATE", "0.5"));
        using var limited = new HandleRate(settings);
        using var unlimited = new HandleRate(new SelectionSettings());
        var messaging = new MessagingSettings { Channel = "order,shipment", PartitionCount = 3 };

        Assert.Equal(TimeSpan.FromSeconds(2 * 3 * 4), limited.LongestRound(messaging));
        Assert.Equal(TimeSpan.Zero, unlimited.LongestRound(messaging));
    }

    [Theory]
    [InlineData("0.5", 1, 2000)]
    [InlineData("10", 1, 100)]
    [InlineData("1000", 50, 50)]
    public void HANDLE_RATE_refills_in_steps_of_about_50_ms_or_one_token(string rate, int perStep, int stepMs)
    {
        var (settings, errors) = TestSettings.Load<SelectionSettings>(("HANDLE_RATE", rate));
        using var limiter = new HandleRate(settings);

        Assert.Empty(errors);
        Assert.True(limiter.Limited);
        Assert.Equal(TimeSpan.FromMilliseconds(stepMs), limiter.Step);
        Assert.Equal(perStep, (int)Math.Round(limiter.Step.TotalSeconds * settings.HandleRate!.Value));
    }
}
