using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using PubSubDemo.Messaging;
using Xunit.Abstractions;

namespace PubSubDemo.LibraryTests;

/// <summary>Readiness in code (<see cref="MessagingReadiness"/>) and as the <c>messaging</c> health check, not as log text.</summary>
[Collection(ServerCollection.Name)]
public sealed class ReadinessTests(RedisServerFixture server, ITestOutputHelper output)
{
    [Fact]
    public async Task Readiness_and_the_messaging_health_check_turn_ready_once_every_consumer_is_consuming()
    {
        output.WriteLine($"Server: {server.Description}");
        var (queue, stream, channel) = (TestNames.Unique("queue"), TestNames.Unique("stream"), TestNames.Unique("channel"));
        var inbox = new Inbox<Order>();
        await using var host = TestHost.Build(output, s => s.AddSingleton(inbox).AddRedisMessaging(o => o.ConnectionString = server.Address)
            .AddQueue<Order, InboxHandler<Order>>(queue, TestJson.Default.Order)
            .AddStream<Order, InboxHandler<Order>>(stream, TestJson.Default.Order)
            .AddChannel<Order, InboxHandler<Order>>(channel, TestJson.Default.Order));
        var health = host.Services.GetRequiredService<HealthCheckService>();

        var waiting = host.Readiness.WaitAsync();
        Assert.False(host.Readiness.IsReady);
        Assert.False(waiting.IsCompleted);
        Assert.Equal([$"channel '{channel}'", $"queue '{queue}'", $"stream '{stream}'"], host.Readiness.Waiting.Order(StringComparer.Ordinal));
        var before = await health.CheckHealthAsync(c => c.Name == "messaging");
        Assert.Equal(HealthStatus.Unhealthy, before.Status);
        Assert.Contains($"queue '{queue}'", before.Entries["messaging"].Description, StringComparison.Ordinal);

        await host.StartAsync();
        await waiting.WaitAsync(Wait.Default);

        Assert.True(host.Readiness.IsReady);
        Assert.Empty(host.Readiness.Waiting);
        var after = await health.CheckHealthAsync(c => c.Tags.Contains("ready"));
        Assert.Equal(HealthStatus.Healthy, after.Status);
        Assert.Equal(["messaging"], after.Entries.Keys);

        // Ready means subscribed: a channel message published right away (at most once, no replay) is not missed.
        var id = await host.Producer<Order>(channel).SendAsync(new Order("right-away", 1m));
        await Wait.UntilAsync(() => inbox.Handled.Any(c => c.Id == id), "the message published right after readiness is handled");
    }
}
