using PubSubDemo.Messaging;
using System.Diagnostics.Metrics;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Subscriber;
using PubSubDemo.Subscriber.Observability;
using PubSubDemo.Messaging.Processing;
using PubSubDemo.Messaging.Telemetry;
using Xunit.Abstractions;

namespace PubSubDemo.IntegrationTests;

/// <summary>CHANNEL as a list of channels and globs: one subscriber, several topics, each in its order, figures per channel.</summary>
[Collection(ServerCollection.Name)]
public sealed class TopicTests(RedisServerFixture server, ITestOutputHelper output)
{
    [Fact]
    public async Task One_subscriber_on_two_channels_and_a_glob_gets_each_channel_in_order_and_reports_figures_per_channel()
    {
        output.WriteLine($"Server: {server.Description}");
        const int count = 100;
        var prefix = TestNames.Unique("topics");
        string[] channels = [$"{prefix}-order", $"{prefix}-shipment", $"{prefix}.audit.eu", $"{prefix}.audit.us"];
        var handler = new RecordingHandler();
        using var metrics = new ChannelMeasurements();
        await using var hosts = new ServiceHostGroup(output);
        var subscriber = await hosts.Add("subscriber", ServiceHost.Subscriber(server.Address, new Dictionary<string, string?>
        {
            ["PATTERN"] = "pubsub",
            ["CHANNEL"] = $"{prefix}-order,{prefix}-shipment,{prefix}.audit.*",
        }, handler)).StartAndWaitConsumingAsync();

        // A channel none of the entries names: it must reach nobody.
        var other = await hosts.Add("publisher to the other channel", ServiceHost.Publisher(server.Address, PubSubTests.PublisherTo($"{prefix}-other", count))).StartAsync();
        await other.WaitForShutdownAsync(Wait.Default);
        var publishers = new List<ServiceHost>();
        foreach (var channel in channels)
        {
            publishers.Add(await hosts.Add($"publisher to {channel}", ServiceHost.Publisher(server.Address, PubSubTests.PublisherTo(channel, count))).StartAsync());
        }

        await Wait.UntilAsync(() => handler.Count(MessageSource.Channel) >= channels.Length * count, $"{channels.Length * count} messages from the four channels arrive");
        foreach (var publisher in publishers)
        {
            await publisher.WaitForShutdownAsync(Wait.Default);
            var fromThis = handler.Handled.Where(m => m.Message.Sender == Published.Sender(publisher)).Select(m => m.Message.Id);
            Assert.Equal(Published.Ids(publisher, count), fromThis);
        }

        Assert.Equal(channels.Length * count, handler.Handled.Count);
        Assert.Equal(0, other.Get<PubSubDemo.Publisher.Sending.PublisherStats>().LastReceivers);

        // Figures per channel, the glob's channels one by one: in the telemetry, the summary, the monitor report and on /metrics.
        var figures = subscriber.SubscriberStats.Channels;
        Assert.Equal(channels.Order(StringComparer.Ordinal), figures.All.Select(c => c.Name));
        Assert.All(figures.All, c => Assert.Equal((count, count, 0L, 0L), (c.Received, c.Handled, c.Filtered, c.Dropped)));
        foreach (var channel in channels)
        {
            await subscriber.WaitForLogAsync($"Summary channel '{channel}': received {count}, handled {count}, filtered 0");
        }

        var report = new SubscriberReportSource(subscriber.SubscriberStats, subscriber.Get<MessagingSettings>(), subscriber.Get<SubscriberSettings>(), TimeProvider.System)
            .Build(TimeSpan.FromSeconds(1), "ok");
        Assert.Equal(channels.Order(StringComparer.Ordinal), report.Channels!.Select(c => c.Name));
        Assert.All(report.Channels!, c => Assert.Equal((count, count), (c.Received, c.Handled)));
        foreach (var channel in channels)
        {
            Assert.Equal(count, metrics.Latest("pubsubdemo.channel.handled", channel));
        }
    }

    /// <summary>Reads the subscriber's per-channel counters the way an exporter does: observed on demand, by their channel label.</summary>
    private sealed class ChannelMeasurements : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly Dictionary<(string, string), long> _latest = [];

        public ChannelMeasurements()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == SubscriberTelemetry.MeterName && instrument.Name.StartsWith("pubsubdemo.channel.", StringComparison.Ordinal))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag is { Key: "channel", Value: string channel })
                    {
                        _latest[(instrument.Name, channel)] = value;
                    }
                }
            });
            _listener.Start();
        }

        public long Latest(string instrument, string channel)
        {
            _latest.Clear();
            _listener.RecordObservableInstruments();
            return _latest.TryGetValue((instrument, channel), out var value) ? value : -1;
        }

        public void Dispose() => _listener.Dispose();
    }
}
