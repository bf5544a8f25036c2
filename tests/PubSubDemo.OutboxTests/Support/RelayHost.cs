using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace PubSubDemo.OutboxTests.Support;

/// <summary>
/// One app instance: its own service provider with the DbContext (and the wake-up interceptor), the outbox, the
/// inbox and a running relay. Two of these on one database are two instances sharing the outbox.
/// </summary>
public sealed class RelayHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private bool _stopped;
    private bool _disposed;

    private readonly IReadOnlyList<IHostedService> _hosted;

    private RelayHost(ServiceProvider services, IReadOnlyList<IHostedService> hosted)
    {
        _services = services;
        _hosted = hosted;
        Relay = hosted.OfType<OutboxRelay<ShopContext>>().Single();
    }

    public OutboxRelay<ShopContext> Relay { get; }

    public IServiceProvider Services => _services;

    public static async Task<RelayHost> StartAsync(
        TestDatabase database, IOutboxTransport transport, Action<OutboxRelayOptions>? configure = null, string? name = null, Action<InboxOptions>? inbox = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMetrics();
        services.AddSingleton(transport);
        services.AddDbContext<ShopContext>((provider, options) =>
            database.Configure(options.AddOutboxSignal(provider.GetRequiredService<IOutboxSignal>()), name));
        services.AddMessagingOutbox<ShopContext>(options =>
        {
            options.BatchSize = 50;
            options.PollInterval = TimeSpan.FromMilliseconds(200);
            options.LeaseDuration = TimeSpan.FromSeconds(2);
            options.MinRetryDelay = TimeSpan.FromMilliseconds(20);
            options.MaxRetryDelay = TimeSpan.FromMilliseconds(200);
            options.MetricsInterval = TimeSpan.FromMilliseconds(100);
            configure?.Invoke(options);
        });
        services.AddMessagingInbox<ShopContext>(inbox);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        // The relay and the inbox's cleanup, as a host would start them.
        var hosted = provider.GetServices<IHostedService>().ToList();
        foreach (var service in hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }

        return new RelayHost(provider, hosted);
    }

    /// <summary>
    /// Saves <paramref name="count"/> orders (numbered from <paramref name="first"/>), each with its OrderPlaced row for <paramref name="destination"/>, in
    /// transactions of <paramref name="perTransaction"/>; the i-th order's key is <c>{keyPrefix}-{i % keys}</c>, and each
    /// key's sequence number counts up from 0.
    /// </summary>
    public async Task<IReadOnlyList<string>> PlaceOrdersAsync(OutboxDestination destination, int count, int keys, int perTransaction = 10, string keyPrefix = "customer", int first = 0)
    {
        var ids = new List<string>(count);
        for (var start = first; start < first + count; start += perTransaction)
        {
            await using var scope = _services.CreateAsyncScope();
            var context = scope.ServiceProvider.GetRequiredService<ShopContext>();
            var outbox = scope.ServiceProvider.GetRequiredService<IOutbox>();
            for (var i = start; i < Math.Min(first + count, start + perTransaction); i++)
            {
                var id = Guid.NewGuid().ToString("N");
                var key = $"{keyPrefix}-{i % keys}";
                context.Orders.Add(new Order { Id = id, Customer = key });
                outbox.Add(destination, id, key, Payloads.Create(id, key, i / keys));
                ids.Add(id);
            }

            await context.SaveChangesAsync();
        }

        return ids;
    }

    /// <summary>Stops the relay as the host would (cancels its loop, hands the lease over), and the inbox's cleanup.</summary>
    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            foreach (var service in _hosted.Reverse())
            {
                await service.StopAsync(CancellationToken.None);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await StopAsync();
        await _services.DisposeAsync();
    }
}
