using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using PubSubDemo.Messaging;
using Xunit.Abstractions;

namespace PubSubDemo.LibraryTests;

/// <summary>Each delivery's handler is resolved in a DI scope of its own, as eShop's event bus does.</summary>
[Collection(ServerCollection.Name)]
public sealed class ScopeTests(RedisServerFixture server, ITestOutputHelper output)
{
    [Fact]
    public async Task Each_delivery_gets_a_new_handler_and_a_new_scoped_service_that_is_disposed_after_it()
    {
        output.WriteLine($"Server: {server.Description}");
        const int count = 5;
        var queue = TestNames.Unique("scoped");
        var seen = new ScopeLog();
        await using var host = await TestHost.StartAsync(output, s => s.AddSingleton(seen).AddScoped<UnitOfWork>()
            .AddRedisMessaging(o => o.ConnectionString = server.Address)
            .AddQueue<Order, ScopedHandler>(queue, TestJson.Default.Order, o => o.IdlePoll = TimeSpan.FromMilliseconds(50)));

        await host.Producer<Order>(queue).SendAsync([.. Enumerable.Range(1, count).Select(i => new Order($"o-{i}", i))]);

        await Wait.UntilAsync(() => seen.Deliveries.Count == count, $"{count} orders are handled");
        Assert.Equal(count, seen.Deliveries.Select(d => d.Handler).Distinct().Count());
        Assert.Equal(count, seen.Deliveries.Select(d => d.Work).Distinct().Count());
        Assert.All(seen.Deliveries, d => Assert.True(d.SameInContextScope, "the context's Services resolve another UnitOfWork than the handler's"));
        await Wait.UntilAsync(() => seen.Deliveries.All(d => d.Work.Disposed), "every delivery's scope is disposed");
    }

    public sealed class UnitOfWork : IDisposable
    {
        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }

    public sealed class ScopeLog
    {
        public ConcurrentQueue<(ScopedHandler Handler, UnitOfWork Work, bool SameInContextScope)> Deliveries { get; } = new();
    }

    public sealed class ScopedHandler(UnitOfWork work, ScopeLog log) : IMessageHandler<Order>
    {
        public ValueTask HandleAsync(MessageContext<Order> context, CancellationToken cancellationToken)
        {
            log.Deliveries.Enqueue((this, work, ReferenceEquals(work, context.Services.GetRequiredService<UnitOfWork>())));
            return ValueTask.CompletedTask;
        }
    }
}
