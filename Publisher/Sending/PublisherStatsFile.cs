using PubSubDemo.Messaging.Producing;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;

namespace PubSubDemo.Publisher.Sending;

/// <summary>Builds the publisher's STATS_FILE (the records live in Shared, where the benchmark reads them too).</summary>
internal static class PublisherStatsFiles
{
    /// <summary>The rate counts what was acknowledged after the first batch, over the time from the first acknowledgement to the last.</summary>
    public static PublisherStatsFile From(PublisherStats stats, PublisherSettings settings, MessagingSettings messaging)
    {
        var first = stats.FirstSent;
        var last = stats.LastSent;
        var seconds = first is { At: var from } && last is { } to ? (to - from).TotalSeconds : 0;
        var rate = seconds > 0 ? (stats.Sent - first!.Value.Count) / seconds : 0;
        return new("publisher", messaging.InstanceName, messaging.Pattern.ToString().ToLowerInvariant(), settings.Rate, settings.MessageSize,
            stats.LastPayloadBytes, stats.Created, stats.Sent, stats.Retries, stats.Unsent, first?.At, last, seconds, rate, RuntimeFigures.Now());
    }
}
