using Microsoft.Extensions.DependencyInjection;
using PubSubDemo.Messaging;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace PubSubDemo.LibraryTests;

/// <summary>
/// A consumer that dies holding a message: another consumer reclaims it once the dead one's heartbeat expires. The dead
/// consumer is a host that is never stopped and whose connection is gone, as a killed process leaves things.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ReclaimTests(RedisServerFixture server, ITestOutputHelper output)
{
    [Fact]
    public async Task An_order_held_by_a_consumer_that_died_is_reclaimed_and_handled_by_another()
    {
        output.WriteLine($"Server: {server.Description}");
        var queue = TestNames.Unique("reclaim");
        var heartbeat = TimeSpan.FromSeconds(2);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var doomed = new Inbox<Order> { OnHandle = (_, _) => new ValueTask(gate.Task) };
        var survivor = new Inbox<Order>();
        var doomedConnection = await ConnectionMultiplexer.ConnectAsync(server.Address);
        var dead = await TestHost.StartAsync(output, s => s.AddSingleton<IConnectionMultiplexer>(doomedConnection).AddSingleton(doomed)
            .AddRedisMessaging()
            .AddQueue<Order, InboxHandler<Order>>(queue, TestJson.Default.Order, o => (o.HeartbeatTtl, o.IdlePoll) = (heartbeat, TimeSpan.FromMilliseconds(50))), "dying consumer");
        try
        {
            var id = await dead.Producer<Order>(queue).SendAsync(new Order("o-held", 8m));
            await Wait.UntilAsync(() => doomed.Calls.Count == 1, "the first consumer holds the order");
            Assert.Single(await server.KeysAsync($"{{{queue}}}:processing:*"));

            // The process dies: its connection is gone and nothing is settled (no StopAsync).
            dead.Abandon();
            await doomedConnection.CloseAsync(allowCommandsToComplete: false);
            await doomedConnection.DisposeAsync();

            await using var other = await TestHost.StartAsync(output, s => s.AddSingleton(survivor).AddRedisMessaging(o => o.ConnectionString = server.Address)
                .AddQueue<Order, InboxHandler<Order>>(queue, TestJson.Default.Order, o => (o.HeartbeatTtl, o.IdlePoll) = (heartbeat, TimeSpan.FromMilliseconds(50))), "surviving consumer");

            await Wait.UntilAsync(() => survivor.Handled.Count == 1, "the surviving consumer reclaims and handles the order", heartbeat * 5 + Wait.Default);
            var context = Assert.Single(survivor.Handled);
            Assert.Equal((id, new Order("o-held", 8m)), (context.Id, context.Message));
            Assert.Empty(doomed.Handled);
            await Wait.UntilAsync(async () => (await server.KeysAsync($"{{{queue}}}:processing:*")).Count == 0, "no processing list is left");
            Assert.Equal(0, await server.Database.ListLengthAsync(queue));
        }
        finally
        {
            gate.TrySetResult();
            await dead.DisposeAsync();
        }
    }
}
