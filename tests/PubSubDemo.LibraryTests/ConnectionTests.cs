using Microsoft.Extensions.DependencyInjection;
using PubSubDemo.Messaging;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace PubSubDemo.LibraryTests;

/// <summary>The application's own connection (or Aspire's AddRedisClient) serves the engine, and stays the application's.</summary>
[Collection(ServerCollection.Name)]
public sealed class ConnectionTests(RedisServerFixture server, ITestOutputHelper output)
{
    [Fact]
    public async Task The_applications_own_multiplexer_carries_the_messages_and_stays_open_after_the_host_stops()
    {
        output.WriteLine($"Server: {server.Description}");
        var queue = TestNames.Unique("own-connection");
        var inbox = new Inbox<Order>();
        await using var own = await ConnectionMultiplexer.ConnectAsync(server.Address);

        // The connection string names a port nothing listens on: only the registered multiplexer can carry anything.
        await using (var host = await TestHost.StartAsync(output, s => s.AddSingleton<IConnectionMultiplexer>(own).AddSingleton(inbox)
            .AddRedisMessaging(o => o.ConnectionString = "127.0.0.1:1")
            .AddQueue<Order, InboxHandler<Order>>(queue, TestJson.Default.Order, o => o.IdlePoll = TimeSpan.FromMilliseconds(50))))
        {
            await host.Producer<Order>(queue).SendAsync(new Order("o-own", 3m));
            await Wait.UntilAsync(() => inbox.Handled.Count == 1, "the order is handled over the application's connection");
        }

        Assert.True(own.IsConnected, "the host closed the application's connection");
        await own.GetDatabase().PingAsync();
        await own.GetDatabase().StringSetAsync(TestNames.Unique("still-mine"), "yes", TimeSpan.FromMinutes(1));
    }
}
