using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PubSubDemo.Messaging;
using PubSubDemo.Messaging.EntityFrameworkCore;

namespace PubSubDemo.OutboxBench;

/// <summary>
/// The consumer roles: one queue consumer (one partition, the engine's defaults) whose handler counts, saves a
/// reservation, or saves it through the inbox. It runs until SIGTERM, then writes what it handled.
/// </summary>
internal static class Consuming
{
    public static async Task<OutboxBenchStats> RunAsync(BenchSettings settings, HostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<Tally>();
        builder.Services.AddDbContext<BenchContext>(settings.Configure);
        var messaging = builder.Services.AddRedisMessaging(o => o.ConnectionString = settings.RedisAddress);
        Action<QueueOptions> queue = o => o.Partitions = 1;
        _ = settings.Role switch
        {
            Roles.Plain => messaging.AddQueue<BenchOrder, SaveReservation>(settings.Queue, BenchJson.Default.BenchOrder, queue),
            Roles.Inbox => messaging.AddQueue<BenchOrder, SaveReservationOnce>(settings.Queue, BenchJson.Default.BenchOrder, queue),
            _ => messaging.AddQueue<BenchOrder, CountOrder>(settings.Queue, BenchJson.Default.BenchOrder, queue),
        };
        using var host = builder.Build();
        if (settings.UsesDatabase)
        {
            await BenchContext.EnsureAsync(host.Services, settings);
        }

        var tally = host.Services.GetRequiredService<Tally>();
        await host.RunAsync();
        return tally.Stats(settings.Role);
    }
}

/// <summary>What the handler saw: deliveries, effects, and for measured messages the latency and the handler's own time.</summary>
internal sealed class Tally
{
    private readonly Timings _latency = new();
    private readonly Timings _step = new();
    private long _handled;
    private long _applied;
    private long _duplicates;
    private long _firstTicks;
    private long _lastTicks;

    public async ValueTask RecordAsync(BenchOrder order, Func<Task<bool>> body)
    {
        var began = Stopwatch.GetTimestamp();
        var applied = await body();
        var now = DateTimeOffset.UtcNow;
        Interlocked.Increment(ref applied ? ref _applied : ref _duplicates);
        Interlocked.Increment(ref _handled);
        if (order.Warmup)
        {
            return;
        }

        _step.Record(Stopwatch.GetElapsedTime(began));
        _latency.Record(now - order.ScheduledAt);
        Interlocked.CompareExchange(ref _firstTicks, now.UtcTicks, 0);
        Volatile.Write(ref _lastTicks, Math.Max(Volatile.Read(ref _lastTicks), now.UtcTicks));
    }

    public OutboxBenchStats Stats(string role) => new(role, 0, 0, null, null, null, _handled, role == Roles.Count ? 0 : _applied, _duplicates,
        At(_firstTicks), At(_lastTicks), _latency.Summary(), _step.Summary(), 0, 0);

    private static DateTimeOffset? At(long ticks) => ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
}

/// <summary>No database: the floor the producers are compared on.</summary>
internal sealed class CountOrder(Tally tally) : IMessageHandler<BenchOrder>
{
    public ValueTask HandleAsync(MessageContext<BenchOrder> context, CancellationToken cancellationToken) =>
        tally.RecordAsync(context.Message, () => Task.FromResult(true));
}

/// <summary>The reservation saved on its own (SaveChanges is one implicit transaction), with no marker: a redelivery would apply it again.</summary>
internal sealed class SaveReservation(BenchContext database, Tally tally) : IMessageHandler<BenchOrder>
{
    public ValueTask HandleAsync(MessageContext<BenchOrder> context, CancellationToken cancellationToken) =>
        tally.RecordAsync(context.Message, async () =>
        {
            database.Reservations.Add(Reservations.For(context.Message));
            await database.SaveChangesAsync(cancellationToken);
            return true;
        });
}

/// <summary>The same reservation through the inbox: the marker checked, the row and the marker committed together.</summary>
internal sealed class SaveReservationOnce(BenchContext database, Tally tally) : IMessageHandler<BenchOrder>
{
    public ValueTask HandleAsync(MessageContext<BenchOrder> context, CancellationToken cancellationToken) =>
        tally.RecordAsync(context.Message, async () =>
        {
            var outcome = await InboxExecution.RunOnceAsync(database, "bench", context.Id, (db, _) =>
            {
                db.Reservations.Add(Reservations.For(context.Message));
                return Task.CompletedTask;
            }, cancellationToken);
            return outcome == InboxOutcome.Applied;
        });
}

internal static class Reservations
{
    public static BenchReservation For(BenchOrder order) => new(0, order.OrderId, order.Quantity, DateTime.UtcNow);
}
