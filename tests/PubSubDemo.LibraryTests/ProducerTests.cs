using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using PubSubDemo.Messaging;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace PubSubDemo.LibraryTests;

/// <summary>
/// The producer's side of the public API beyond a plain send: what an <see cref="IProducerObserver"/> sees, and a send
/// with a give-up deadline (<see cref="IMessageProducer{T}.TrySendAsync"/>) against a server that is up and one that is gone.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ProducerTests(RedisServerFixture server, ITestOutputHelper output)
{
    [Fact]
    public async Task An_observer_sees_the_queue_take_a_batch_with_its_length_the_channel_reach_its_subscriber_and_each_send_complete()
    {
        output.WriteLine($"Server: {server.Description}");
        var (queue, channel) = (TestNames.Unique("orders"), TestNames.Unique("orders"));
        var observer = new RecordingObserver();
        await using var host = await TestHost.StartAsync(output, s => s.AddSingleton<IProducerObserver>(observer)
            .AddRedisMessaging(o => o.ConnectionString = server.Address)
            .AddQueue(queue, TestJson.Default.Order)
            .AddChannel(channel, TestJson.Default.Order));
        var listener = await server.Client.GetSubscriber().SubscribeAsync(RedisChannel.Literal(channel));

        var ids = await host.Producer<Order>(queue).SendAsync([new("o-1", 1m), new("o-2", 2m), new("o-3", 3m)]);
        await host.Producer<Order>(channel).SendAsync(new Order("o-4", 4m));

        var entries = await server.Database.ListRangeAsync(queue);
        Assert.Equal(ids, entries.Select(e => IdOf(e)));
        var taken = Assert.Single(observer.Of(queue, ProducerOutcome.Taken));
        Assert.Equal((3, 3L, 0), (taken.Count, taken.Length!.Value, taken.Partition));
        var sent = Assert.Single(observer.Of(queue, ProducerOutcome.Sent));
        Assert.Equal((3, entries.Sum(e => (long)((byte[])e!).Length)), (sent.Count, sent.Bytes));
        Assert.Equal(1, Assert.Single(observer.Of(channel, ProducerOutcome.Taken)).Receivers);
        Assert.Equal(1, Assert.Single(observer.Of(channel, ProducerOutcome.Sent)).Count);
        Assert.DoesNotContain(observer.Events, e => e.Outcome is ProducerOutcome.Retried or ProducerOutcome.GivenUp);
        await listener.UnsubscribeAsync();
    }

    [Fact]
    public async Task A_send_with_a_give_up_deadline_returns_the_orders_a_vanished_server_did_not_take_and_sends_all_once_it_is_back()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        output.WriteLine($"Server: {RedisServerProcess.ProgramName} on port {redis.Port}");
        var queue = TestNames.Unique("orders");
        var observer = new RecordingObserver();
        await using var host = await TestHost.StartAsync(output, s => s.AddSingleton<IProducerObserver>(observer)
            .AddRedisMessaging(o => o.ConnectionString = redis.Address)
            .AddQueue(queue, TestJson.Default.Order));
        var producer = host.Producer<Order>(queue);
        Assert.True((await producer.TrySendAsync([new("o-0", 0m)], TimeSpan.FromSeconds(10))).AllAccepted, "the first order was not accepted with the server up");

        await redis.KillAsync();
        var clock = Stopwatch.StartNew();
        var refused = await producer.TrySendAsync([new("o-1", 1m), new("o-2", 2m)], TimeSpan.FromSeconds(1));
        clock.Stop();

        output.WriteLine($"Gave up after {clock.Elapsed.TotalSeconds:0.00}s: {refused.Failure}");
        Assert.Equal(0, refused.Accepted);
        Assert.Equal(refused.Ids, refused.NotAccepted);
        Assert.False(string.IsNullOrEmpty(refused.Failure));
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), Wait.Default);
        Assert.NotEmpty(observer.Of(queue, ProducerOutcome.Retried));
        Assert.Equal(2, Assert.Single(observer.Of(queue, ProducerOutcome.GivenUp)).Count);

        await redis.StartAsync();
        var accepted = await producer.TrySendAsync([new("o-3", 3m), new("o-4", 4m)], Wait.Default);

        Assert.True(accepted.AllAccepted, $"not accepted with the server back: {accepted.Failure}");
        using var client = await ConnectionMultiplexer.ConnectAsync(redis.Address);
        var entries = await client.GetDatabase().ListRangeAsync(queue);
        Assert.Equal(accepted.Ids, entries.Select(e => IdOf(e)));
    }

    private static string? IdOf(RedisValue entry)
    {
        using var json = System.Text.Json.JsonDocument.Parse(entry.ToString());
        return json.RootElement.GetProperty("id").GetString();
    }

    /// <summary>Every event, in the order reported.</summary>
    private sealed class RecordingObserver : IProducerObserver
    {
        public ConcurrentQueue<ProducerEvent> Events { get; } = new();

        public void OnSend(in ProducerEvent send) => Events.Enqueue(send);

        public List<ProducerEvent> Of(string destination, ProducerOutcome outcome) =>
            [.. Events.Where(e => e.Destination == destination && e.Outcome == outcome)];
    }
}
