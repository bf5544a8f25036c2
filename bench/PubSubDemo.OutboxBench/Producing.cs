using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PubSubDemo.Messaging;
using PubSubDemo.Messaging.EntityFrameworkCore;

namespace PubSubDemo.OutboxBench;

/// <summary>
/// The producer roles. Each produces BENCH_COUNT orders one at a time, awaited, as a request handler would: paced on
/// an absolute schedule at BENCH_RATE (order n is due at start + n / rate, so a slow save is caught up on and shows as
/// latency, not as a lower rate), or back to back at rate 0. The outbox producer then waits for its relay to mark
/// every row sent, so the process's CPU time covers the relay's work too.
/// </summary>
internal static class Producing
{
    private static readonly TimeSpan SentPoll = TimeSpan.FromMilliseconds(10);

    public static async Task<OutboxBenchStats> RunAsync(BenchSettings settings, HostApplicationBuilder builder)
    {
        builder.Services.AddDbContext<BenchContext>((services, options) =>
        {
            settings.Configure(options);
            if (settings.Role == Roles.Outbox && settings.Signal)
            {
                options.AddOutboxSignal(services.GetRequiredService<IOutboxSignal>());
            }
        });
        var messaging = builder.Services.AddRedisMessaging(o => o.ConnectionString = settings.RedisAddress)
            .AddQueue<BenchOrder>(settings.Queue, BenchJson.Default.BenchOrder, o => o.Partitions = 1);
        if (settings.Role == Roles.Outbox)
        {
            // The relay's defaults (batches of 100, a 1 s poll), as an app that does not tune them gets.
            messaging.AddOutbox<BenchContext>().AddOutboxProducer<BenchOrder>(OutboxDestination.Queue(settings.Queue), BenchJson.Default.BenchOrder);
        }

        using var host = builder.Build();
        if (settings.UsesDatabase)
        {
            await BenchContext.EnsureAsync(host.Services, settings);
        }

        await host.StartAsync();
        var produce = Step(settings.Role, host.Services);
        var steps = new Timings();
        var late = new Timings();
        var clock = Stopwatch.StartNew();
        var wallStart = DateTimeOffset.UtcNow;
        DateTimeOffset? measuredFrom = null;
        var cpuFrom = TimeSpan.Zero;
        var (sent, warmups) = (0, 0);
        // The schedule restarts with the first measured order, so a warm-up that fell behind (the first save compiles
        // EF Core's model and queries) leaves no backlog in the measured latency.
        var (origin, originIndex) = (TimeSpan.Zero, 0);
        for (; sent < settings.Count && clock.Elapsed.TotalSeconds < settings.MaxSeconds; sent++)
        {
            var warmup = sent < settings.Warmup || clock.Elapsed.TotalSeconds < settings.WarmupSeconds;
            warmups += warmup ? 1 : 0;
            if (!warmup && measuredFrom is null)
            {
                (origin, originIndex, cpuFrom) = (clock.Elapsed, sent, Environment.CpuUsage.TotalTime);
                measuredFrom = wallStart + origin;
            }

            var due = origin + TimeSpan.FromSeconds(settings.Rate > 0 ? (sent - originIndex) / settings.Rate : 0);
            if (settings.Rate > 0 && due - clock.Elapsed > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(due - clock.Elapsed);
            }

            var began = clock.Elapsed;
            if (!warmup && settings.Rate > 0)
            {
                late.Record(began - due);
            }

            // Latency counts from when the order was due (a fixed rate) or begun (back to back).
            var scheduled = wallStart + (settings.Rate > 0 ? due : began);
            await produce(new BenchOrder($"order-{sent}", $"customer-{sent % 16}", 1 + (sent % 3), sent, scheduled, warmup));
            if (!warmup)
            {
                steps.Record(clock.Elapsed - began);
            }
        }

        var lastSaved = wallStart + clock.Elapsed;
        DateTimeOffset? allSent = settings.Role == Roles.Outbox ? await AllSentAsync(host.Services) : null;
        var cpu = (Environment.CpuUsage.TotalTime - cpuFrom).TotalSeconds;
        await host.StopAsync();
        return new(settings.Role, sent, warmups, measuredFrom, lastSaved, allSent, 0, 0, 0, null, null, null, steps.Summary(),
            measuredFrom is null ? 0 : cpu, late.Summary()?.P99Ms ?? 0);
    }

    /// <summary>One order produced the role's way.</summary>
    private static Func<BenchOrder, Task> Step(string role, IServiceProvider services)
    {
        var producer = services.GetRequiredService<IMessageProducer<BenchOrder>>();
        return role switch
        {
            Roles.Direct => order => producer.SendAsync(order, key: order.Customer),
            Roles.SaveThenSend => async order =>
            {
                await using var scope = services.CreateAsyncScope();
                var context = scope.ServiceProvider.GetRequiredService<BenchContext>();
                context.Orders.Add(Row(order));
                await context.SaveChangesAsync();
                await producer.SendAsync(order, key: order.Customer);
            },
            _ => async order =>
            {
                await using var scope = services.CreateAsyncScope();
                var context = scope.ServiceProvider.GetRequiredService<BenchContext>();
                context.Orders.Add(Row(order));
                scope.ServiceProvider.GetRequiredService<IOutboxProducer<BenchOrder>>().Add(order, key: order.Customer);
                await context.SaveChangesAsync();
            },
        };
    }

    private static BenchOrderRow Row(BenchOrder order) =>
        new(order.OrderId, order.Customer, order.Quantity, DateTime.UtcNow);

    /// <summary>When no outbox row is left unsent (within <see cref="SentPoll"/>): the relay's share of the run is over.</summary>
    private static async Task<DateTimeOffset> AllSentAsync(IServiceProvider services)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (true)
        {
            await using (var scope = services.CreateAsyncScope())
            {
                if (!await scope.ServiceProvider.GetRequiredService<BenchContext>().Set<OutboxMessage>().AnyAsync(m => m.SentAt == null, deadline.Token))
                {
                    return DateTimeOffset.UtcNow;
                }
            }

            await Task.Delay(SentPoll, deadline.Token);
        }
    }
}
