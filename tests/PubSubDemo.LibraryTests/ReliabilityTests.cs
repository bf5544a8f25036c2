using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using PubSubDemo.Messaging;
using Xunit.Abstractions;

namespace PubSubDemo.LibraryTests;

/// <summary>The reliability suites' key cases on a queue, through the library's API: retries, delays, DEDUPE, malformed payloads, keyed order.</summary>
[Collection(ServerCollection.Name)]
public sealed class ReliabilityTests(RedisServerFixture server, ITestOutputHelper output)
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    [Fact]
    public async Task A_failing_order_is_retried_with_growing_backoff_then_dead_lettered_after_MaxAttempts()
    {
        output.WriteLine($"Server: {server.Description}");
        var queue = TestNames.Unique("failing");
        var backoff = TimeSpan.FromMilliseconds(400);
        var inbox = new Inbox<Order> { OnHandle = (_, _) => throw new InvalidOperationException("payment service down") };
        await using var host = await TestHost.StartAsync(output, s => s.AddSingleton(inbox).AddRedisMessaging(o => o.ConnectionString = server.Address)
            .AddQueue<Order, InboxHandler<Order>>(queue, TestJson.Default.Order, o => (o.MaxAttempts, o.RetryBackoff, o.RetryBackoffMax, o.IdlePoll) = (3, backoff, TimeSpan.FromSeconds(5), Poll)));

        var id = await host.Producer<Order>(queue).SendAsync(new Order("o-fail", 5m));

        await Wait.UntilAsync(async () => await server.Database.ListLengthAsync(Wire.DeadLetters(queue)) == 1, "the order is dead-lettered");
        var calls = inbox.Calls;
        Assert.Equal([id, id, id], calls.Select(c => c.Id));

        // Equal jitter: the first retry waits between half the backoff and the backoff, the second twice that.
        var (first, second) = (calls[1].At - calls[0].At, calls[2].At - calls[1].At);
        output.WriteLine($"waits before the retries: {first.TotalMilliseconds:0} ms, {second.TotalMilliseconds:0} ms");
        Assert.True(first >= backoff / 2 - TimeSpan.FromMilliseconds(20), $"the first retry came after {first.TotalMilliseconds:0} ms");
        Assert.True(second >= backoff - TimeSpan.FromMilliseconds(20), $"the second retry came after {second.TotalMilliseconds:0} ms");

        using var letter = JsonDocument.Parse((string)(await server.Database.ListGetByIndexAsync(Wire.DeadLetters(queue), 0))!);
        Assert.Equal(3, letter.RootElement.GetProperty("attempts").GetInt32());
        Assert.Contains(id, letter.RootElement.GetProperty("payload").GetString(), StringComparison.Ordinal);
        // Nothing is left that could come back: not in the queue, not waiting in the due set for another attempt.
        Assert.Equal(0, await server.Database.ListLengthAsync(queue));
        Assert.Equal(0, await server.Database.SortedSetLengthAsync(Wire.Due(queue)));
        Assert.Equal(3, inbox.Calls.Count);
    }

    [Fact]
    public async Task A_delayed_order_is_not_handled_before_it_is_due()
    {
        output.WriteLine($"Server: {server.Description}");
        var queue = TestNames.Unique("delayed");
        var inbox = new Inbox<Order>();
        await using var host = await TestHost.StartAsync(output, s => s.AddSingleton(inbox).AddRedisMessaging(o => o.ConnectionString = server.Address)
            .AddQueue<Order, InboxHandler<Order>>(queue, TestJson.Default.Order, o => o.IdlePoll = Poll));
        var producer = host.Producer<Order>(queue);

        var dueAt = DateTimeOffset.UtcNow.AddSeconds(1.5);
        var delayed = await producer.SendAsync(new Order("o-later", 1m), dueAt: dueAt);
        var now = await producer.SendAsync(new Order("o-now", 1m));

        await Wait.UntilAsync(() => inbox.Handled.Any(c => c.Id == delayed), "the delayed order is handled");
        var handled = inbox.Calls.Single(c => c.Id == delayed).At;
        Assert.True(handled >= dueAt, $"handled at {handled:O}, before its due time {dueAt:O}");
        Assert.Equal([now, delayed], inbox.Handled.Select(c => c.Id));
        var context = inbox.Handled[1];
        Assert.NotNull(context.NotBefore);
        Assert.InRange(context.NotBefore!.Value, dueAt.AddMilliseconds(-1), dueAt.AddMilliseconds(1));
    }

    [Fact]
    public async Task With_DEDUPE_an_order_delivered_twice_is_handled_once_and_its_effect_applied_once()
    {
        output.WriteLine($"Server: {server.Description}");
        var queue = TestNames.Unique("dedupe");
        var effectKey = "";
        var inbox = new Inbox<Order>
        {
            OnHandle = (context, _) =>
            {
                effectKey = context.Effects!.Key("totals").ToString();
                context.Effects.HashIncrement(context.Effects.Key("totals"), context.Message.OrderId);
                return ValueTask.CompletedTask;
            },
        };
        await using var host = await TestHost.StartAsync(output, s => s.AddSingleton(inbox).AddRedisMessaging(o => o.ConnectionString = server.Address)
            .AddQueue<Order, InboxHandler<Order>>(queue, TestJson.Default.Order, o => (o.Dedupe, o.IdlePoll) = (true, Poll)));

        // The same payload twice back to back (one batch, most likely), as a producer's retry writes it; then once more after it was handled.
        var payload = Wire.Order(TestNames.Unique("dup"), "o-dup", 2m);
        await server.Database.ListRightPushAsync(queue, [payload, payload]);
        await Wait.UntilAsync(() => inbox.Handled.Count == 1 && server.Database.ListLength(queue) == 0, "the first delivery is handled");
        await server.Database.ListRightPushAsync(queue, payload);
        await Wait.UntilAsync(async () => await server.Database.ListLengthAsync(queue) == 0 && (await server.KeysAsync($"{{{queue}}}:processing:*")).Count == 0, "the repeat is taken and settled");

        Assert.Single(inbox.Calls);
        Assert.Equal(1, (long)await server.Database.HashGetAsync(effectKey, "o-dup"));
        Assert.Equal(0, await server.Database.ListLengthAsync(Wire.DeadLetters(queue)));
    }

    [Fact]
    public async Task A_payload_that_is_not_an_order_is_dead_lettered_at_once_without_calling_the_handler_or_retrying()
    {
        output.WriteLine($"Server: {server.Description}");
        var queue = TestNames.Unique("malformed");
        var inbox = new Inbox<Order>();
        await using var host = await TestHost.StartAsync(output, s => s.AddSingleton(inbox).AddRedisMessaging(o => o.ConnectionString = server.Address)
            .AddQueue<Order, InboxHandler<Order>>(queue, TestJson.Default.Order, o => (o.MaxAttempts, o.RetryBackoff, o.IdlePoll) = (5, TimeSpan.FromSeconds(30), Poll)));

        var bad = $$"""{"id":"bad-1","timestamp":"{{DateTimeOffset.UtcNow:O}}","orderId":"o-bad","amount":"twelve"}""";
        await server.Database.ListRightPushAsync(queue, bad);
        await server.Database.ListRightPushAsync(queue, Wire.Order("good-1", "o-good", 1m));

        // With RetryBackoff=30s, a retried payload would not reach the dead letters within the wait.
        await Wait.UntilAsync(async () => await server.Database.ListLengthAsync(Wire.DeadLetters(queue)) == 1, "the malformed payload is dead-lettered", TimeSpan.FromSeconds(10));
        await Wait.UntilAsync(() => inbox.Handled.Count == 1, "the good order behind it is handled");
        Assert.Equal(["good-1"], inbox.Calls.Select(c => c.Id));
        using var letter = JsonDocument.Parse((string)(await server.Database.ListGetByIndexAsync(Wire.DeadLetters(queue), 0))!);
        output.WriteLine(letter.RootElement.ToString());
        Assert.Equal(bad, letter.RootElement.GetProperty("payload").GetString());
        Assert.Contains("Order", letter.RootElement.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_three_partitions_each_customers_steps_are_handled_in_the_order_sent()
    {
        output.WriteLine($"Server: {server.Description}");
        const int perCustomer = 30;
        var queue = TestNames.Unique("steps");
        var inbox = new Inbox<Step>();
        await using var host = await TestHost.StartAsync(output, s => s.AddSingleton(inbox).AddRedisMessaging(o => o.ConnectionString = server.Address)
            .AddQueue<Step, InboxHandler<Step>>(queue, TestJson.Default.Step, o => (o.Partitions, o.BatchSize, o.IdlePoll) = (3, 5, Poll)));
        var customers = Enumerable.Range(1, 6).Select(i => $"customer-{i}").ToArray();
        var producer = host.Producer<Step>(queue);

        // Interleaved: one batch per round, and single sends between, keyed by customer.
        for (var seq = 0; seq < perCustomer; seq++)
        {
            var round = customers.Select(c => new Step(c, seq)).ToArray();
            if (seq % 2 == 0)
            {
                await producer.SendAsync(round, s => s.Customer);
            }
            else
            {
                foreach (var step in round)
                {
                    await producer.SendAsync(step, step.Customer);
                }
            }
        }

        await Wait.UntilAsync(() => inbox.Handled.Count == customers.Length * perCustomer, $"{customers.Length * perCustomer} steps are handled");
        foreach (var customer in customers)
        {
            Assert.Equal(Enumerable.Range(0, perCustomer), inbox.Handled.Where(c => c.Message.Customer == customer).Select(c => c.Message.Number));
        }
    }
}
