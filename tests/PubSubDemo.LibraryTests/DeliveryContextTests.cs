using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using PubSubDemo.Messaging;
using Xunit.Abstractions;

namespace PubSubDemo.LibraryTests;

/// <summary>What a handler's context says about its delivery: which attempt it is, and which partition it came from.</summary>
[Collection(ServerCollection.Name)]
public sealed class DeliveryContextTests(RedisServerFixture server, ITestOutputHelper output)
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    [Theory]
    [InlineData("queue")]
    [InlineData("stream")]
    public async Task Attempt_is_1_on_a_first_delivery_and_counts_up_with_each_retry(string pattern)
    {
        output.WriteLine($"Server: {server.Description}");
        var name = TestNames.Unique($"attempts-{pattern}");
        var seen = new ConcurrentQueue<int>();
        var inbox = new Inbox<Order>
        {
            // Fails the first two attempts, as a handler whose downstream service is briefly away.
            OnHandle = (context, _) =>
            {
                seen.Enqueue(context.Attempt);
                return context.Attempt < 3 ? throw new InvalidOperationException($"attempt {context.Attempt} fails") : ValueTask.CompletedTask;
            },
        };
        var backoff = TimeSpan.FromMilliseconds(100);
        await using var host = await TestHost.StartAsync(output, s =>
        {
            var messaging = s.AddSingleton(inbox).AddRedisMessaging(o => o.ConnectionString = server.Address);
            _ = pattern == "queue"
                ? messaging.AddQueue<Order, InboxHandler<Order>>(name, TestJson.Default.Order, o => (o.MaxAttempts, o.RetryBackoff, o.IdlePoll) = (5, backoff, Poll))
                : messaging.AddStream<Order, InboxHandler<Order>>(name, TestJson.Default.Order, o => (o.MaxAttempts, o.RetryBackoff, o.IdlePoll) = (5, backoff, Poll));
        });

        var id = await host.Producer<Order>(name).SendAsync(new Order("o-third-time", 3m));

        await Wait.UntilAsync(() => inbox.Handled.Count == 1, "the order is handled on its third attempt");
        Assert.Equal([1, 2, 3], seen);
        var handled = Assert.Single(inbox.Handled);
        Assert.Equal((id, 3, 0), (handled.Id, handled.Attempt, handled.Partition));
    }

    [Fact]
    public async Task Partition_names_the_partition_of_a_partitioned_queue_each_message_came_from()
    {
        output.WriteLine($"Server: {server.Description}");
        const int count = 30;
        var queue = TestNames.Unique("partition-of");

        // Sent before any consumer runs, so the test can see which partition's list holds which message.
        await using (var producing = await TestHost.StartAsync(output, s => s.AddRedisMessaging(o => o.ConnectionString = server.Address)
            .AddQueue<Step>(queue, TestJson.Default.Step, o => o.Partitions = 3)))
        {
            var producer = producing.Producer<Step>(queue);
            for (var i = 0; i < count; i++)
            {
                await producer.SendAsync(new Step($"customer-{i}", 0), $"customer-{i}");
            }
        }

        // Partition 0 is the name itself, partition i the list `name:p<i>…` (docs/library.md).
        var partitionOf = new Dictionary<string, int>();
        foreach (var key in await server.KeysAsync($"{queue}*"))
        {
            var index = key == queue ? 0 : int.Parse(Regex.Match(key, @"^.+:p(\d+)").Groups[1].Value, CultureInfo.InvariantCulture);
            foreach (var item in await server.Database.ListRangeAsync(key))
            {
                using var json = JsonDocument.Parse((string)item!);
                partitionOf[json.RootElement.GetProperty("id").GetString()!] = index;
            }
        }

        output.WriteLine(string.Join(", ", partitionOf.GroupBy(p => p.Value).OrderBy(g => g.Key).Select(g => $"partition {g.Key}: {g.Count()}")));
        Assert.Equal(count, partitionOf.Count);
        Assert.Equal([0, 1, 2], partitionOf.Values.Distinct().Order());

        var inbox = new Inbox<Step>();
        await using var host = await TestHost.StartAsync(output, s => s.AddSingleton(inbox).AddRedisMessaging(o => o.ConnectionString = server.Address)
            .AddQueue<Step, InboxHandler<Step>>(queue, TestJson.Default.Step, o => (o.Partitions, o.IdlePoll) = (3, Poll)));

        await Wait.UntilAsync(() => inbox.Handled.Count == count, $"the {count} steps are handled");
        Assert.All(inbox.Handled, context => Assert.Equal((partitionOf[context.Id], 1), (context.Partition, context.Attempt)));
    }
}
