using System.Diagnostics.Metrics;
using PubSubDemo.Messaging.Telemetry;
using PubSubDemo.Subscriber.Figures;

namespace PubSubDemo.Subscriber.Observability;

/// <summary>
/// The demo's own instruments, beside the engine's on the same meter (so /metrics shows them as before): the counts
/// per channel (one series per channel, labelled <c>channel</c>) and what the senders' sequence numbers say the channel
/// lost. Observable: they read <see cref="SubscriberFigures"/> at collection only.
/// </summary>
internal static class DemoInstruments
{
    /// <summary>The engine's subscriber meter (<c>SubscriberTelemetry.MeterName</c>), which the exporters already follow.</summary>
    public const string MeterName = SubscriberTelemetry.MeterName;

    public static void Create(Meter meter, SubscriberFigures figures)
    {
        IEnumerable<Measurement<long>> PerChannel(Func<ChannelCounts, long> value) =>
            figures.Channels.All.Select(c => new Measurement<long>(value(c), new KeyValuePair<string, object?>("channel", c.Name)));

        meter.CreateObservableCounter("pubsubdemo.channel.received", () => PerChannel(c => c.Received), "{message}", "Channel messages that arrived, per channel");
        meter.CreateObservableCounter("pubsubdemo.channel.handled", () => PerChannel(c => c.Handled), "{message}", "Channel messages the handler completed, per channel");
        meter.CreateObservableCounter("pubsubdemo.channel.filtered", () => PerChannel(c => c.Filtered), "{message}", "Channel messages FILTER kept from the handler, per channel");
        meter.CreateObservableCounter("pubsubdemo.channel.dropped", () => PerChannel(c => c.Dropped), "{message}", "Channel messages shed because the buffer was full, per channel");

        var channel = figures.Channel.Sequences;
        meter.CreateObservableUpDownCounter("pubsubdemo.pubsub.gaps", () => channel.Missing, "{message}", "Channel messages never seen, from gaps in the senders' sequence numbers");
        meter.CreateObservableCounter("pubsubdemo.pubsub.duplicates", () => channel.Duplicates, "{message}", "Channel messages seen twice");
        meter.CreateObservableCounter("pubsubdemo.pubsub.reorders", () => channel.Reorders, "{message}", "Channel messages that arrived after a later one");
    }
}
