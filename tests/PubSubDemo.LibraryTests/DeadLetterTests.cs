using Microsoft.Extensions.DependencyInjection;
using PubSubDemo.Messaging;
using Xunit.Abstractions;

namespace PubSubDemo.LibraryTests;

/// <summary>Dead letters through the library's API: counted, redriven with their original payload, and refused for a name not registered.</summary>
[Collection(ServerCollection.Name)]
public sealed class DeadLetterTests(RedisServerFixture server, ITestOutputHelper output)
{
    [Fact]
    public async Task Orders_dead_lettered_while_the_handler_failed_are_redriven_with_their_ids_and_handled_once_it_works()
    {
        output.WriteLine($"Server: {server.Description}");
        var queue = TestNames.Unique("redrive");
        var failing = true;
        var inbox = new Inbox<Order> { OnHandle = (_, _) => Volatile.Read(ref failing) ? throw new InvalidOperationException("warehouse offline") : ValueTask.CompletedTask };
        await using var host = await TestHost.StartAsync(output, s => s.AddSingleton(inbox).AddRedisMessaging(o => o.ConnectionString = server.Address)
            .AddQueue<Order, InboxHandler<Order>>(queue, TestJson.Default.Order, o => (o.MaxAttempts, o.Partitions, o.IdlePoll) = (1, 2, TimeSpan.FromMilliseconds(50))));
        var deadLetters = host.Services.GetRequiredService<DeadLetters>();

        var ids = await host.Producer<Order>(queue).SendAsync([new Order("o-1", 1m), new Order("o-2", 2m), new Order("o-3", 3m)], key: o => o.OrderId);
        await Wait.UntilAsync(async () => await deadLetters.CountAsync(queue) == 3, "the three orders are dead-lettered");
        Assert.Empty(inbox.Handled);

        Assert.Equal(new RedriveResult(queue, 3, 0, 3), await deadLetters.RedriveAsync(queue, dryRun: true));
        Volatile.Write(ref failing, false);
        Assert.Equal(new RedriveResult(queue, 3, 0, 0), await deadLetters.RedriveAsync(queue));

        await Wait.UntilAsync(() => inbox.Handled.Count == 3, "the redriven orders are handled");
        Assert.Equal(ids.Order(), inbox.Handled.Select(c => c.Id).Order());
        Assert.Equal(0, await deadLetters.CountAsync(queue));
    }

    [Fact]
    public async Task A_name_that_is_not_a_registered_queue_or_stream_is_refused()
    {
        await using var host = TestHost.Build(output, s => s.AddRedisMessaging(o => o.ConnectionString = server.Address).AddChannel<Order>(TestNames.Unique("news"), TestJson.Default.Order));
        var deadLetters = host.Services.GetRequiredService<DeadLetters>();

        var refused = await Assert.ThrowsAsync<ArgumentException>(() => deadLetters.RedriveAsync("nowhere"));
        Assert.StartsWith("'nowhere' is not a queue or stream registered with AddQueue or AddStream", refused.Message, StringComparison.Ordinal);
    }
}
