using PubSubDemo.Messaging.Producing;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Messaging.Configuration;

namespace PubSubDemo.Publisher;

/// <summary>How much the publisher sends and how fast.</summary>
internal sealed class PublisherSettings : ProducerOptions, IServiceSettings
{
    /// <summary>Pause between messages when no PUBLISH_RATE is set (seed 002's PUBLISH_INTERVAL).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Messages per second held steadily; 0 means as fast as the buffer lets; null means use <see cref="Interval"/>.</summary>
    public double? Rate { get; set; }

    /// <summary>0 means until stopped.</summary>
    public long MessageCount { get; set; }

    public TimeSpan? Duration { get; set; }

    /// <summary>Pads the content to this many bytes; 0 leaves it as "Message #n".</summary>
    public int MessageSize { get; set; }

    /// <summary>Messages created but not yet sent; when full, creation pauses (the publisher never drops one).</summary>
    public int BufferSize { get; set; } = 10_000;

    public TimeSpan SummaryInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>DELAY: every message is due this long after it is created (its <c>notBefore</c>); zero sends them due at once.</summary>
    public TimeSpan Delay { get; set; }

    public void Load(SettingsReader reader)
    {
        Interval = reader.Duration(EnvironmentNames.PublishInterval, Interval, TimeSpan.Zero);
        Rate = reader.Real(EnvironmentNames.PublishRate, 0, 10_000_000);
        MessageCount = reader.Number(EnvironmentNames.MessageCount, MessageCount, 0);
        Duration = reader.OptionalDuration(EnvironmentNames.Duration, TimeSpan.Zero);
        MessageSize = reader.Count(EnvironmentNames.MessageSize, MessageSize, 0, 512 * 1024 * 1024);
        BufferSize = reader.Count(EnvironmentNames.PublishBuffer, BufferSize, 1, 10_000_000);
        BatchSize = reader.Count(EnvironmentNames.BatchSize, BatchSize, 1, 10_000);
        LogMessages = reader.Flag(EnvironmentNames.LogMessages, Rate is null || Rate is > 0 and <= 100);
        StreamMaxLength = reader.Number(EnvironmentNames.StreamMaxLength, 0, 0) is > 0 and var max ? max : null;
        SummaryInterval = reader.Duration(EnvironmentNames.SummaryInterval, SummaryInterval, TimeSpan.FromMilliseconds(100));
        Delay = reader.Duration(EnvironmentNames.Delay, Delay, TimeSpan.Zero);
        MessageKey = reader.Raw(EnvironmentNames.MessageKey)?.ToLowerInvariant();
        if (MessageKey is not null && !MessageKeys.Contains(MessageKey))
        {
            reader.Error(EnvironmentNames.MessageKey, reader.Raw(EnvironmentNames.MessageKey), $"use one of the message's fields: {string.Join(", ", MessageKeys)}");
        }
        if (reader.Raw(EnvironmentNames.Channel) is { } channel && MessagingSettings.IsGlob(channel))
        {
            reader.Error(EnvironmentNames.Channel, channel, "the publisher needs one channel name without glob characters (* ? [); patterns are for the subscriber");
        }
        else if (reader.Raw(EnvironmentNames.Channel) is { } list && ChannelList.IsList(list))
        {
            reader.Error(EnvironmentNames.Channel, list, "the publisher sends to one channel; run one publisher per channel (a list is for the subscriber)");
        }
    }
}
