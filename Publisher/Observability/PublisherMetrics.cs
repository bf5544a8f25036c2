using System.Diagnostics.Metrics;
using PubSubDemo.Publisher.Sending;
using PubSubDemo.Messaging.Producing;

namespace PubSubDemo.Publisher.Observability;

/// <summary>The publisher's instruments: observable views of <see cref="PublisherStats"/>, read at collection time only.</summary>
internal sealed class PublisherMetrics
{
    public const string MeterName = "PubSubDemo.Publisher";

    public PublisherMetrics(IMeterFactory meters, PublisherStats stats)
    {
        var meter = meters.Create(MeterName);
        meter.CreateObservableCounter("pubsubdemo.messages.published", () => stats.Sent, "{message}", "Messages that reached every destination PATTERN names");
        meter.CreateObservableCounter("pubsubdemo.messages.created", () => stats.Created, "{message}", "Messages created by the generator");
        meter.CreateObservableCounter("pubsubdemo.publish.retries", () => stats.Retries, "{retry}", "Batches sent again after a server error");
        meter.CreateObservableCounter("pubsubdemo.messages.unsent", () => stats.Unsent, "{message}", "Messages given up at shutdown because the server did not take them");
        meter.CreateObservableGauge("pubsubdemo.publish.buffered", () => stats.Buffered, "{message}", "Messages created and not yet taken by the server");
        meter.CreateObservableGauge("pubsubdemo.queue.length", () => Known(stats.LastQueueLength), "{message}", "Queue length after the last push");
        meter.CreateObservableGauge("pubsubdemo.stream.length", () => Known(stats.LastStreamLength), "{entry}", "Stream length after the last STREAM_MAXLEN trim");
        meter.CreateObservableGauge("pubsubdemo.stream.retention_held", () => Known(stats.LastStreamLength < 0 ? -1 : stats.StreamRetentionHeld ? 1 : 0), "{flag}", "1 while a lagging consumer group keeps the stream past STREAM_MAXLEN");
        meter.CreateObservableGauge("pubsubdemo.channel.receivers", () => Known(stats.LastReceivers), "{subscriber}", "Subscribers the last channel publish reached");
    }

    private static IEnumerable<Measurement<long>> Known(long value) => value >= 0 ? [new Measurement<long>(value)] : [];
}
