using System.Diagnostics.Metrics;

namespace PubSubDemo.Messaging.Telemetry;

/// <summary>The per-channel counters on /metrics: one series per channel, labelled <c>channel</c>, read from <see cref="ChannelFigures"/>.</summary>
internal static class ChannelInstruments
{
    public static void Create(Meter meter, ChannelFigures figures)
    {
        IEnumerable<Measurement<long>> PerChannel(Func<ChannelCounts, long> value) =>
            figures.All.Select(c => new Measurement<long>(value(c), new KeyValuePair<string, object?>("channel", c.Name)));

        meter.CreateObservableCounter("pubsubdemo.channel.received", () => PerChannel(c => c.Received), "{message}", "Channel messages that arrived, per channel");
        meter.CreateObservableCounter("pubsubdemo.channel.handled", () => PerChannel(c => c.Handled), "{message}", "Channel messages the handler completed, per channel");
        meter.CreateObservableCounter("pubsubdemo.channel.filtered", () => PerChannel(c => c.Filtered), "{message}", "Channel messages FILTER kept from the handler, per channel");
        meter.CreateObservableCounter("pubsubdemo.channel.dropped", () => PerChannel(c => c.Dropped), "{message}", "Channel messages shed because the buffer was full, per channel");
    }
}
