using PubSubDemo.Messaging;
using System.Diagnostics;
using System.Text.RegularExpressions;
using PubSubDemo.FaultTests.Support;
using PubSubDemo.Publisher.Sending;
using PubSubDemo.Messaging.Producing;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Messaging.Processing;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace PubSubDemo.FaultTests;

/// <summary>
/// The server is killed and restarted on the same port from its append-only file while the publisher and the
/// subscribers run in this process; neither is restarted, both must carry on by themselves.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed partial class ServerRestartTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(2);

    [Theory]
    [InlineData("queue")]
    [InlineData("stream")]
    public async Task Queue_and_stream_publishers_and_subscribers_recover_from_a_server_restart_and_every_id_is_handled(string pattern)
    {
        const int count = 1500;
        var clock = Stopwatch.StartNew();
        await using var server = await FaultServer.StartAsync(persistent: true);
        output.WriteLine($"Server: {server.Kind}, append-only, fsync always");
        var source = DurableSource.Create(pattern);
        var settings = source.IsStream
            ? source.Settings(withGroup: true, ("STREAM_START", "0"), ("BATCH_SIZE", "20"))
            : source.Settings(withGroup: true, ("BATCH_SIZE", "20"));
        var handlers = new[] { new RecordingHandler { Delay = TimeSpan.FromMilliseconds(2) }, new RecordingHandler { Delay = TimeSpan.FromMilliseconds(2) } };
        var subscribers = new List<ServiceHost>();
        foreach (var handler in handlers)
        {
            subscribers.Add(await ServiceHost.Subscriber(server.Address, settings, handler).StartAndWaitConnectedAsync());
        }
        await using var publisher = Services.Publisher(server.Address, new Dictionary<string, string?>(settings)
        {
            ["MESSAGE_COUNT"] = count.ToString(),
            ["PUBLISH_RATE"] = "300",
        });
        var stats = publisher.Get<PublisherStats>();
        await publisher.StartAsync();

        await Wait.UntilAsync(() => handlers.Sum(h => h.Count(source.Source)) >= 300, $"300 {source.Items} are handled before the crash");
        await CrashAndRestartAsync(server, clock, () => $"{stats.Sent} sent, {handlers.Sum(h => h.Count(source.Source))} handled");

        var expected = Services.SentIds(publisher, count).ToHashSet();
        await Wait.UntilAsync(() => expected.IsSubsetOf(handlers.SelectMany(h => h.Ids(source.Source))), $"all {count} ids are handled after the restart", TimeSpan.FromSeconds(60));
        await publisher.WaitForShutdownAsync(TimeSpan.FromSeconds(30));
        if (source.IsStream)
        {
            await Wait.UntilAsync(async () => (await server.StreamStateAsync(source.Key, source.Group!)).PendingCount == 0, "every entry is acknowledged");
        }

        foreach (var subscriber in subscribers)
        {
            await subscriber.DisposeAsync();
        }

        var ledger = new Ledger(expected).Handled(handlers.SelectMany(h => h.Ids(source.Source)));
        StreamState? state = null;
        if (source.IsStream)
        {
            state = await server.StreamStateAsync(source.Key, source.Group!);
            ledger.StillOnServer("stream pending", state.PendingIds).StillOnServer("stream undelivered", state.UndeliveredIds);
        }
        else
        {
            ledger.StillOnServer("queue", await server.ListIdsAsync(source.Key));
            foreach (var (consumer, ids) in await server.ProcessingListsAsync(source.Key))
            {
                ledger.StillOnServer($"processing list of {consumer}", ids);
            }
        }

        output.WriteLine($"{ledger.Describe()}{(state is null ? "" : $"; stream length {state.Length}")}; publisher sent {stats.Sent}, retries {stats.Retries}, unsent {stats.Unsent}; {clock.Elapsed.TotalSeconds:0.0}s");
        ReportRecovery(subscribers.Select(s => s.Log).Append(publisher.Log));
        ledger.AssertNothingLost(duplicatesAllowed: true);
        Assert.Equal(count, ledger.HandledDistinct);
        if (state is not null)
        {
            Assert.Empty(state.UndeliveredIds);
        }

        Assert.Equal(count, stats.Sent);
        Assert.Equal(0, stats.Unsent);
    }

    /// <summary>
    /// Pub/sub keeps nothing for a subscriber that is not connected, and the product promises that the subscriber
    /// reports, per sender, the sequence numbers it never saw. The publisher retries what the dead server did not
    /// take, so whether its own messages fall into the subscriber's absence depends on who reconnects first. A probe
    /// therefore publishes, with its own sender and sequence numbers, the moment the server is back: a PUBLISH that
    /// answers 0 receivers proves the subscriber was away. Should the subscriber win that race, the probe makes the
    /// window itself: one transaction closes the subscriber's subscription connection and publishes.
    /// </summary>
    [Fact]
    public async Task Pubsub_recovers_from_a_server_restart_and_the_subscriber_reports_what_was_published_while_it_was_away()
    {
        const int count = 600;
        var clock = Stopwatch.StartNew();
        await using var server = await FaultServer.StartAsync(persistent: true);
        output.WriteLine($"Server: {server.Kind}, append-only, fsync always");
        var channel = RedisChannel.Literal(TestNames.Unique("channel"));
        var subscriberName = Services.Name("sub");
        var handler = new RecordingHandler();
        await using var subscriber = await ServiceHost.Subscriber(server.Address, new Dictionary<string, string?>
        {
            ["PATTERN"] = "pubsub",
            ["CHANNEL"] = channel.ToString(),
            ["INSTANCE_NAME"] = subscriberName,
        }, handler).StartAndWaitConnectedAsync();
        await Wait.UntilAsync(() => subscriber.Log.Contains($"Subscribed to channel '{channel}'"), "the subscriber is subscribed");

        await using var publisher = Services.Publisher(server.Address, new Dictionary<string, string?>
        {
            ["PATTERN"] = "pubsub",
            ["CHANNEL"] = channel.ToString(),
            ["MESSAGE_COUNT"] = count.ToString(),
            ["PUBLISH_RATE"] = "100",
            ["LOG_MESSAGES"] = "true",
        });
        var sender = Services.Sender(publisher);
        var stats = publisher.Get<PublisherStats>();
        await publisher.StartAsync();

        var probe = Services.Name("probe");
        RedisValue Probe(long seq) => RawMessages.Json($"{probe}-{seq}", "probe", probe, seq);
        var receivers = new List<(long Seq, long Receivers)>();
        await Wait.UntilAsync(() => handler.Count(MessageSource.Channel) >= 100, "100 channel messages are handled before the crash");
        for (var seq = 1; seq <= 5; seq++)
        {
            receivers.Add((seq, await server.Database.PublishAsync(channel, Probe(seq))));
        }

        await server.CrashAsync();
        output.WriteLine($"Killed the server at {clock.Elapsed.TotalSeconds:0.0}s: {stats.Sent} sent, {handler.Count(MessageSource.Channel)} handled");
        await Task.Delay(Outage);
        await server.Process.StartAsync();
        var madeWindow = false;
        await using (var probeClient = await ConnectionMultiplexer.ConnectAsync($"{server.Address},allowAdmin=true"))
        {
            var database = probeClient.GetDatabase();
            var first = await database.PublishAsync(channel, Probe(6));
            receivers.Add((6, first));
            output.WriteLine($"Restarted it at {clock.Elapsed.TotalSeconds:0.0}s; the first probe after it reached {first} subscribers");
            long seq = 7;
            if (first > 0)
            {
                // The subscriber was back first: close its subscription connection and publish in one transaction, so
                // it cannot resubscribe in between.
                await Wait.UntilAsync(async () => (await SubscriptionClientsAsync(probeClient, server.Address, subscriberName)).Count > 0, "the subscriber's subscription connection is listed");
                var transaction = database.CreateTransaction();
                foreach (var id in await SubscriptionClientsAsync(probeClient, server.Address, subscriberName))
                {
                    _ = transaction.ExecuteAsync("CLIENT", "KILL", "ID", id);
                }

                var publishedInWindow = transaction.PublishAsync(channel, Probe(seq));
                Assert.True(await transaction.ExecuteAsync(), "the kill-and-publish transaction did not run");
                receivers.Add((seq++, await publishedInWindow));
                madeWindow = true;
            }

            var back = 0;
            var deadline = Stopwatch.StartNew();
            while (back < 3)
            {
                Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), "the subscriber did not come back within 30s");
                await Task.Delay(20);
                var reached = await database.PublishAsync(channel, Probe(seq));
                receivers.Add((seq++, reached));
                back = reached > 0 ? back + 1 : 0;
            }
        }

        var away = receivers.Where(r => r.Receivers == 0).Select(r => $"{probe}-{r.Seq}").ToList();
        var delivered = receivers.Where(r => r.Receivers > 0).Select(r => $"{probe}-{r.Seq}").ToList();
        output.WriteLine($"Probe: {receivers.Count} published, {away.Count} while the subscriber was away (0 receivers){(madeWindow ? ", a window the probe made: the subscriber was back before it" : ", in the restart's own window")}");

        await publisher.WaitForShutdownAsync(TimeSpan.FromSeconds(30));
        // Sequences are followed before the handler runs, so once the handler has the last message every gap is logged.
        await Wait.UntilAsync(() => handler.Ids(MessageSource.Channel).Contains($"{sender}-{count}"), "the publisher's last message reaches the subscriber");

        var handled = handler.Ids(MessageSource.Channel).ToList();
        var gaps = subscriber.Log.Lines.Select(l => GapLine().Match(l)).Where(m => m.Success)
            .Select(m => (Sender: m.Groups["sender"].Value, Missing: long.Parse(m.Groups["missing"].Value), From: long.Parse(m.Groups["from"].Value), To: long.Parse(m.Groups["to"].Value)))
            .ToList();
        var sequences = subscriber.SubscriberStats.Channel.Sequences;
        foreach (var gap in gaps)
        {
            output.WriteLine($"Gap reported: {gap.Sender} seq {gap.From}..{gap.To}");
        }

        output.WriteLine($"Subscriber: {handled.Count} handled; sequences: missing {sequences.Missing}, duplicates {sequences.Duplicates}, reorders {sequences.Reorders}");
        ReportRecovery([subscriber.Log, publisher.Log]);

        // The probe: what reached the subscriber was handled, in order; what was published while it was away is
        // exactly what it reported missing.
        Assert.NotEmpty(away);
        Assert.Equal(delivered, handled.Where(id => id.StartsWith(probe + "-", StringComparison.Ordinal)));
        Assert.Equal(away.Count, gaps.Where(g => g.Sender == probe).Sum(g => g.Missing));
        Assert.Equal(away, gaps.Where(g => g.Sender == probe).SelectMany(g => Seqs(g.From, g.To)).Select(s => $"{probe}-{s}"));
        Assert.True(sequences.Missing >= away.Count, $"SubscriberStats.Channel.Sequences.Missing is {sequences.Missing}, below the {away.Count} the probe proved lost");

        // The publisher carried on by itself and sent everything; every one of its messages was handled or falls in a gap the subscriber reported.
        Assert.Equal(count, stats.Sent);
        Assert.Equal(0, stats.Unsent);
        var reportedMissing = gaps.Where(g => g.Sender == sender).SelectMany(g => Seqs(g.From, g.To)).Select(s => $"{sender}-{s}").ToHashSet();
        var unaccounted = Enumerable.Range(1, count).Select(i => $"{sender}-{i}").Where(id => !handled.Contains(id) && !reportedMissing.Contains(id)).ToList();
        Assert.True(unaccounted.Count == 0, $"publisher messages neither handled nor reported missing: {string.Join(", ", unaccounted.Take(20))}");
        var published = publisher.Log.Lines.Select(l => PublishedLine().Match(l)).Where(m => m.Success).Select(m => m.Groups["id"].Value).ToList();
        Assert.Equal(count, published.Distinct().Count());
        Assert.True(handled.Where(id => id.StartsWith(sender + "-", StringComparison.Ordinal)).All(published.Contains), "the subscriber handled a publisher id that was never published");
    }

    private static IEnumerable<long> Seqs(long from, long to)
    {
        for (var s = from; s <= to; s++)
        {
            yield return s;
        }
    }

    /// <summary>The ids of the connections on which a client by this name is subscribed.</summary>
    private static async Task<List<long>> SubscriptionClientsAsync(ConnectionMultiplexer client, string address, string name) =>
        (await client.GetServer(address).ClientListAsync()).Where(c => c.Name == name && c.SubscriptionCount + c.PatternSubscriptionCount > 0).Select(c => c.Id).ToList();

    private async Task CrashAndRestartAsync(FaultServer server, Stopwatch clock, Func<string> progress)
    {
        await server.CrashAsync();
        output.WriteLine($"Killed the server at {clock.Elapsed.TotalSeconds:0.0}s: {progress()}");
        await Task.Delay(Outage);
        await server.StartAgainAsync();
        output.WriteLine($"Restarted it at {clock.Elapsed.TotalSeconds:0.0}s: {progress()}");
    }

    private void ReportRecovery(IEnumerable<CapturedLog> logs)
    {
        foreach (var line in logs.SelectMany(l => l.Lines).Where(l => l.StartsWith("Warning", StringComparison.Ordinal) || l.StartsWith("Error", StringComparison.Ordinal) || l.Contains("Reconnected", StringComparison.Ordinal)).Take(30))
        {
            output.WriteLine(line);
        }
    }

    [GeneratedRegex(@"Gap on the channel from (?<sender>\S+): (?<missing>\d+) messages missing \(seq (?<from>\d+)\.\.(?<to>\d+)\)")]
    private static partial Regex GapLine();

    [GeneratedRegex(@"Published to channel '[^']*' \((?<receivers>\d+) subscribers\): .* \(ID: (?<id>[^)\s]+)\)")]
    private static partial Regex PublishedLine();
}
