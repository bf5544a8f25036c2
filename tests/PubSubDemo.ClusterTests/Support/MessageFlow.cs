using PubSubDemo.Messaging;
using System.Diagnostics;
using PubSubDemo.FaultTests.Support;
using PubSubDemo.Publisher.Sending;
using PubSubDemo.Messaging.Producing;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Messaging.Processing;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace PubSubDemo.ClusterTests.Support;

/// <summary>
/// Messages flowing through a queue or a stream on the cluster, from the real publisher to two real subscribers,
/// while a test changes the cluster under them. It keeps a timeline of the publisher's acknowledged count (sampled
/// every 2 ms on a thread of its own), so a test can say when a given message was acknowledged, and at the end it
/// accounts for every message with the Ledger: handled, still stored on the cluster, or lost.
/// </summary>
internal sealed class MessageFlow : IAsyncDisposable
{
    /// <summary>BATCH_SIZE of the subscribers: at most this many messages are in one consumer's hands at once.</summary>
    public const int BatchSize = 20;

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<(TimeSpan At, long Sent)> _acks = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly RedisCluster _cluster;
    private readonly ServiceHostGroup _hosts;
    private Task _sampling = Task.CompletedTask;

    private MessageFlow(RedisCluster cluster, ServiceHostGroup hosts, MessageSource source, string key, int count)
    {
        _cluster = cluster;
        _hosts = hosts;
        Source = source;
        Key = key;
        Count = count;
    }

    public MessageSource Source { get; }

    /// <summary>The queue's or the stream's name.</summary>
    public string Key { get; }

    public int Count { get; }

    public RecordingHandler[] Handlers { get; } = [new() { Delay = TimeSpan.FromMilliseconds(1) }, new() { Delay = TimeSpan.FromMilliseconds(1) }];

    public List<ServiceHost> Subscribers { get; } = [];

    public ServiceHost Publisher { get; private set; } = null!;

    public PublisherStats Stats => Publisher.Get<PublisherStats>();

    /// <summary>Time since the flow was created, on the clock of the acknowledgement timeline.</summary>
    public TimeSpan Now => _clock.Elapsed;

    public int Handled => Handlers.Sum(h => h.Count(Source));

    public IEnumerable<string> HandledIds => Handlers.SelectMany(h => h.Ids(Source));

    /// <summary>Two subscribers given different nodes, then a publisher given every node, sending <paramref name="count"/> messages at <paramref name="rate"/>/s.</summary>
    public static async Task<MessageFlow> StartAsync(RedisCluster cluster, MessageSource source, string key, string mode, int count, int rate, ITestOutputHelper output)
    {
        var (pattern, name) = source == MessageSource.Queue ? ("queue", "QUEUE") : ("stream", "STREAM");
        var settings = new Dictionary<string, string?> { ["PATTERN"] = pattern, [name] = key, ["PUBSUB_MODE"] = mode, ["BATCH_SIZE"] = $"{BatchSize}" };
        var flow = new MessageFlow(cluster, new ServiceHostGroup(output), source, key, count);
        try
        {
            for (var i = 0; i < flow.Handlers.Length; i++)
            {
                flow.Subscribers.Add(await flow._hosts.Add($"subscriber {i + 1}", ServiceHost.Subscriber(cluster.Nodes[i].Address, settings, flow.Handlers[i])).StartAndWaitConsumingAsync());
            }

            flow.Publisher = flow._hosts.Add("publisher", ServiceHost.Publisher(cluster.Address, settings.With(("MESSAGE_COUNT", $"{count}"), ("PUBLISH_RATE", $"{rate}"))));
            flow._sampling = Task.Factory.StartNew(flow.Sample, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            await flow.Publisher.StartAsync();
            return flow;
        }
        catch
        {
            await flow.DisposeAsync();
            throw;
        }
    }

    public IEnumerable<string> Ids => Published.Ids(Publisher, Count);

    /// <summary>The publisher's acknowledged count at <paramref name="at"/>.</summary>
    public long SentAt(TimeSpan at)
    {
        lock (_acks)
        {
            return _acks.LastOrDefault(a => a.At <= at).Sent;
        }
    }

    /// <summary>When the publisher had message number <paramref name="seq"/> acknowledged (it sends in order), or null if never.</summary>
    public TimeSpan? AcknowledgedAt(long seq)
    {
        lock (_acks)
        {
            return _acks.FirstOrDefault(a => a.Sent >= seq) is { Sent: > 0 } first ? first.At : null;
        }
    }

    /// <summary>Waits until the publisher is done and nothing is left to consume, then accounts for every message.</summary>
    public async Task<Ledger> SettleAsync(TimeSpan timeout)
    {
        await Publisher.WaitForShutdownAsync(timeout);
        await _cluster.Client.ConfigureAsync();
        var database = _cluster.Client.GetDatabase();
        if (Source == MessageSource.Queue)
        {
            await Wait.UntilAsync(async () => await database.ListLengthAsync(Key) == 0 && (await _cluster.KeysAsync(KeyNames.Processing(Key, "*"))).Count == 0, $"queue {Key} and every processing list are empty", timeout);
        }
        else
        {
            await Wait.UntilAsync(async () => (await StreamLeftAsync(database)).Count == 0, $"every entry of stream {Key} is delivered and acknowledged", timeout);
        }

        var ledger = new Ledger(Ids).Handled(HandledIds);
        if (Source == MessageSource.Queue)
        {
            ledger.StillOnServer("queue", (await database.ListRangeAsync(Key)).Select(IdOf));
            foreach (var list in await _cluster.KeysAsync(KeyNames.Processing(Key, "*")))
            {
                ledger.StillOnServer(list, (await database.ListRangeAsync(list)).Select(IdOf));
            }
        }
        else
        {
            ledger.StillOnServer("stream, pending or undelivered", await StreamLeftAsync(database));
        }

        return ledger.DeadLetteredIds((await database.ListRangeAsync(KeyNames.DeadLetters(Key))).Select(d => MessageReader.ReadDeadLetter((byte[])d!)?.Payload is { } payload ? IdOf(payload) : d.ToString()));
    }

    /// <summary>The ids of stream entries the group has not finished: pending, or past its last-delivered id.</summary>
    private async Task<List<string>> StreamLeftAsync(IDatabase database)
    {
        var group = (await database.StreamGroupInfoAsync(Key)).Single();
        var pending = (await database.StreamPendingMessagesAsync(Key, group.Name, 100_000, RedisValue.Null)).Select(p => p.MessageId).ToHashSet();
        var after = group.LastDeliveredId ?? "0-0";
        var undelivered = await database.StreamRangeAsync(Key, after, "+");
        return (await database.StreamRangeAsync(Key)).Where(e => pending.Contains(e.Id)).Concat(undelivered.Where(e => e.Id != after))
            .Select(e => IdOf(e[KeyNames.StreamField])).ToList();
    }

    private static string IdOf(RedisValue payload) => MessageReader.Read((byte[])payload!).Message?.Id ?? payload.ToString();

    private void Sample()
    {
        long last = -1;
        while (!_stop.IsCancellationRequested)
        {
            var sent = Publisher.Get<PublisherStats>().Sent;
            if (sent != last)
            {
                lock (_acks)
                {
                    _acks.Add((_clock.Elapsed, sent));
                }

                last = sent;
            }

            Thread.Sleep(2);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _sampling;
        await _hosts.DisposeAsync();
        _stop.Dispose();
    }
}
