using System.Diagnostics.Metrics;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Messaging.Processing;

namespace PubSubDemo.Messaging.Telemetry;

/// <summary>
/// The subscriber's OpenTelemetry instruments. Counts and backlog gauges are observable views of
/// <see cref="SubscriberTelemetry"/>, read at collection only; latency is a histogram that each source's sink records
/// into when the handler completes. Nothing is measured twice: these read what the sinks already hold. The demo's
/// per-channel and gap instruments on the same meter are its own (the subscriber host's <c>DemoInstruments</c>).
/// </summary>
internal static class SubscriberInstruments
{
    /// <summary>Seconds, as OpenTelemetry prefers: from 100 µs on a quiet loopback to 10 s behind a backlog.</summary>
    private static readonly double[] LatencyBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    public static Histogram<double> CreateLatency(Meter meter) => meter.CreateHistogram(
        "pubsubdemo.message.latency",
        "s",
        "End-to-end latency: handled time minus the publisher's timestamp",
        tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });

    public static void CreateObservers(Meter meter, SubscriberTelemetry telemetry, MessagingOptions messaging)
    {
        SourceTelemetry[] sources = [.. telemetry.All.Where(s => SubscriberTelemetry.Uses(messaging, s.Source))];
        KeyValuePair<string, object?>[] tags = [.. telemetry.All.Select(s => new KeyValuePair<string, object?>("source", s.Name))];
        IEnumerable<Measurement<long>> PerSource(MessageOutcome outcome) =>
            sources.Select(s => new Measurement<long>(s.Count(outcome), tags[(int)s.Source]));

        meter.CreateObservableCounter("pubsubdemo.messages.received", () => PerSource(MessageOutcome.Received), "{message}", "Messages that arrived, well-formed or not");
        meter.CreateObservableCounter("pubsubdemo.messages.handled", () => PerSource(MessageOutcome.Handled), "{message}", "Messages the handler completed");
        meter.CreateObservableCounter("pubsubdemo.messages.malformed", () => PerSource(MessageOutcome.Malformed), "{message}", "Payloads that were not a readable message");
        meter.CreateObservableCounter("pubsubdemo.messages.failed", () => PerSource(MessageOutcome.Failed), "{message}", "Handler failures (queue and stream items are retried)");
        meter.CreateObservableCounter("pubsubdemo.messages.dead_lettered", () => PerSource(MessageOutcome.DeadLettered), "{message}", "Items moved to the dead-letter list");
        meter.CreateObservableCounter("pubsubdemo.messages.lost", () => PerSource(MessageOutcome.Lost), "{message}", "Stream entries trimmed or deleted on the server before they were handled");
        meter.CreateObservableCounter("pubsubdemo.messages.duplicate", () => PerSource(MessageOutcome.Duplicate), "{message}", "Deliveries of ids already handled (DEDUPE), acknowledged without applying them again");
        meter.CreateObservableCounter("pubsubdemo.messages.retried", () => PerSource(MessageOutcome.Retried), "{message}", "Failed queue items and stream entries scheduled for a retry after their backoff");
        meter.CreateObservableCounter("pubsubdemo.messages.delayed", () => PerSource(MessageOutcome.Deferred), "{message}", "Deliveries that waited for their due time (notBefore, DELAY)");
        meter.CreateObservableCounter("pubsubdemo.messages.dropped", () => PerSource(MessageOutcome.Dropped), "{message}", "Channel messages shed because the in-process buffer was full");
        meter.CreateObservableCounter("pubsubdemo.messages.filtered", () => PerSource(MessageOutcome.Filtered), "{message}", "Messages FILTER kept from the handler (acknowledged, not dead-lettered)");
        meter.CreateObservableCounter("pubsubdemo.pubsub.slow_disconnects", () => telemetry.Channel.Count(MessageOutcome.Disconnected), "{disconnect}", "Times the server closed the subscription while messages were arriving: likely client-output-buffer-limit pubsub");

        var server = telemetry.Server;
        if (messaging.Uses(Pattern.Queue))
        {
            meter.CreateObservableGauge("pubsubdemo.queue.length", () => Known(server.QueueLength), "{message}", "Items waiting in the queue");
            meter.CreateObservableGauge("pubsubdemo.queue.due", () => Known(server.QueueDue), "{message}", "Queue items waiting in the due set for a retry or their due time");
            meter.CreateObservableGauge("pubsubdemo.queue.processing.length", () => Known(server.ProcessingLength), "{message}", "Items this consumer has taken and not yet settled");
        }

        if (messaging.Uses(Pattern.Stream))
        {
            meter.CreateObservableGauge("pubsubdemo.stream.lag", () => Known(server.StreamLag), "{message}", "Stream entries not yet delivered to the consumer group");
            meter.CreateObservableGauge("pubsubdemo.stream.due", () => Known(server.StreamDue), "{message}", "Stream entries of the group waiting in its due set for a retry or their due time");
        }

        IEnumerable<Measurement<long>> DeadLetterLengths()
        {
            if (server.QueueDeadLetters >= 0)
            {
                yield return new Measurement<long>(server.QueueDeadLetters, tags[(int)MessageSource.Queue]);
            }

            if (server.StreamDeadLetters >= 0)
            {
                yield return new Measurement<long>(server.StreamDeadLetters, tags[(int)MessageSource.Stream]);
            }
        }

        meter.CreateObservableGauge("pubsubdemo.dead_letters.length", DeadLetterLengths, "{message}", "Entries in the dead-letter lists");
    }

    /// <summary>No measurement at all while the value is unknown, rather than a misleading zero.</summary>
    private static IEnumerable<Measurement<long>> Known(long value) => value >= 0 ? [new Measurement<long>(value)] : [];
}
