using PubSubDemo.Messaging;
using PubSubDemo.Messaging.Cluster;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Messaging.Contract;

namespace PubSubDemo.Shared.Configuration;

/// <summary>MessagingOptions read from the environment variables users already know (the one catalogue, <see cref="EnvironmentNames"/>).</summary>
internal sealed class MessagingSettings : MessagingOptions, IServiceSettings
{
    public void Load(SettingsReader reader)
    {
        Channel = reader.NonEmpty(EnvironmentNames.Channel, Channel);
        ValidateChannelList(reader, Channel);
        Queue = reader.NonEmpty(EnvironmentNames.Queue, Queue);
        Stream = reader.NonEmpty(EnvironmentNames.Stream, Stream);
        Group = reader.NonEmpty(EnvironmentNames.Group, Group);
        Pattern = reader.Choice(EnvironmentNames.Pattern, Pattern, Patterns);
        PubSubMode = reader.Choice(EnvironmentNames.PubSubMode, PubSubMode, PubSubChannels.Modes);
        PartitionCount = reader.Count(EnvironmentNames.Partitions, PartitionCount, 1, Partitions.Max);
        MaxMessageBytes = reader.Count(EnvironmentNames.MaxMessageBytes, MaxMessageBytes, 64, 512 * 1024 * 1024);
        var pinned = reader.Raw(EnvironmentNames.InstanceName);
        InstanceName = pinned ?? InstanceNames.Create();
        SenderId = pinned is null ? InstanceName : $"{pinned}-{InstanceNames.RandomPart()}";
        if (IsGlob(Queue))
        {
            reader.Error(EnvironmentNames.Queue, Queue, "a queue name cannot hold glob characters (* ? [)");
        }

        if (IsGlob(Stream))
        {
            reader.Error(EnvironmentNames.Stream, Stream, "a stream name cannot hold glob characters (* ? [)");
        }

        ValidateNames(reader, this);
    }

    /// <summary>An empty entry (<c>order,,shipment</c>, a trailing comma) or one written twice is a mistake, not a wish.</summary>
    private static void ValidateChannelList(SettingsReader reader, string channel)
    {
        var parts = channel.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Any(p => p.Length == 0))
        {
            reader.Error(EnvironmentNames.Channel, channel, "an entry of the comma-separated list is empty; write channels and globs as order,shipment or orders.*,audit");
            return;
        }

        if (parts.GroupBy(p => p, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            reader.Error(EnvironmentNames.Channel, channel, $"'{twice.Key}' is listed twice; each channel or glob is subscribed once");
        }
    }

    /// <summary>The settings checks that the cluster adds: names whose derived keys can share their slot, and no glob with sharded.</summary>
    private static void ValidateNames(SettingsReader reader, MessagingOptions messaging)
    {
        if (KeyNames.Problem(messaging.Queue) is { } queue)
        {
            reader.Error(EnvironmentNames.Queue, messaging.Queue, queue);
        }

        if (KeyNames.Problem(messaging.Stream) is { } stream)
        {
            reader.Error(EnvironmentNames.Stream, messaging.Stream, stream);
        }

        if (messaging.PubSubMode == global::PubSubDemo.Messaging.PubSubMode.Sharded && messaging.ChannelIsPattern)
        {
            reader.Error(EnvironmentNames.PubSubMode, "sharded",
                $"CHANNEL='{messaging.Channel}' is a glob and sharded pub/sub cannot subscribe by pattern; use PUBSUB_MODE=classic or a CHANNEL without * ? [");
        }
    }
}
