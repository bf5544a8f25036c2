using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PubSubDemo.OutboxTests.Support;

namespace PubSubDemo.OutboxTests;

/// <summary>What the relay does beside sending: the cleanup of sent rows and the metrics.</summary>
public abstract partial class OutboxTests
{
    [Fact]
    public async Task The_cleanup_deletes_sent_rows_past_the_retention_and_nothing_else()
    {
        var now = DateTime.UtcNow;
        await using (var context = _database.NewContext())
        {
            OutboxMessage Row(string id, DateTime created, DateTime? sent, DateTime? due = null) => new()
            {
                MessageId = id, DestinationName = "cleanup", Payload = [1], CreatedAt = created, SentAt = sent, DueAt = due,
            };
            context.Outbox.AddRange(
                Row("old-sent", now.AddDays(-3), now.AddDays(-2)),
                Row("recent-sent", now.AddHours(-2), now.AddHours(-1)),
                Row("old-unsent-not-due", now.AddDays(-3), null, now.AddDays(1)));
            await context.SaveChangesAsync();
        }

        var transport = new RecordingTransport();
        await using var host = await RelayHost.StartAsync(_database, transport, options =>
        {
            options.Retention = TimeSpan.FromDays(1);
            options.CleanupInterval = TimeSpan.FromMilliseconds(100);
        });

        await Wait.UntilAsync(async () =>
        {
            await using var context = _database.NewContext();
            return !await context.Outbox.AnyAsync(r => r.MessageId == "old-sent");
        }, "the old sent row is deleted");
        await using var check = _database.NewContext();
        Assert.Equal(["old-unsent-not-due", "recent-sent"], (await check.Outbox.Select(r => r.MessageId).ToListAsync()).Order());
        Assert.Empty(transport.Sent);
    }

    [Fact]
    public async Task The_cleanup_deletes_inbox_markers_and_lease_rows_past_their_retention_and_never_a_parked_row()
    {
        var now = DateTime.UtcNow;
        await using (var context = _database.NewContext())
        {
            context.Set<InboxMarker>().AddRange(
                new InboxMarker { Scope = "stock", MessageId = "handled-8-days-ago", HandledAt = now.AddDays(-8) },
                new InboxMarker { Scope = "stock", MessageId = "handled-6-days-ago", HandledAt = now.AddDays(-6) },
                new InboxMarker { Scope = "stock", MessageId = "handled-now", HandledAt = now });
            context.Set<OutboxLease>().AddRange(
                new OutboxLease { Name = "gone-relay", Holder = "old", ExpiresAt = now.AddDays(-2) },
                new OutboxLease { Name = "recent-relay", Holder = "other", ExpiresAt = now.AddHours(-1) });
            context.Outbox.Add(new OutboxMessage
            {
                MessageId = "parked-long-ago", DestinationName = "cleanup", Payload = [1], CreatedAt = now.AddDays(-30),
                ParkedAt = now.AddDays(-29), Refusals = 5, LastError = "refused: WRONGTYPE",
            });
            await context.SaveChangesAsync();
        }

        var transport = new RecordingTransport();
        await using var host = await RelayHost.StartAsync(_database, transport, options => options.CleanupInterval = TimeSpan.FromMilliseconds(100),
            inbox: options => options.CleanupInterval = TimeSpan.FromMilliseconds(100));

        await Wait.UntilAsync(async () =>
        {
            await using var context = _database.NewContext();
            return !await context.Set<InboxMarker>().AnyAsync(m => m.MessageId == "handled-8-days-ago")
                && !await context.Set<OutboxLease>().AnyAsync(l => l.Name == "gone-relay");
        }, "the 8-day-old marker (default retention 7 days) and the lease expired 2 days ago (1 day) are deleted");
        await using var check = _database.NewContext();
        Assert.Equal(["handled-6-days-ago", "handled-now"], (await check.Set<InboxMarker>().Select(m => m.MessageId).ToListAsync()).Order());
        Assert.Contains("recent-relay", await check.Set<OutboxLease>().Select(l => l.Name).ToListAsync());
        Assert.True(await check.Outbox.AnyAsync(r => r.MessageId == "parked-long-ago" && r.ParkedAt != null));
        Assert.Empty(transport.Sent);
    }

    [Fact]
    public async Task An_app_that_only_consumes_deletes_its_old_inbox_markers_too()
    {
        await using (var context = _database.NewContext())
        {
            context.Set<InboxMarker>().AddRange(
                new InboxMarker { Scope = "stock", MessageId = "handled-2-days-ago", HandledAt = DateTime.UtcNow.AddDays(-2) },
                new InboxMarker { Scope = "stock", MessageId = "handled-now", HandledAt = DateTime.UtcNow });
            await context.SaveChangesAsync();
        }

        // No outbox, no relay: the inbox alone, as a consumer's host registers it.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddDbContext<ShopContext>(options => _database.Configure(options));
        builder.Services.AddMessagingInbox<ShopContext>(options => (options.Retention, options.CleanupInterval) = (TimeSpan.FromDays(1), TimeSpan.FromMilliseconds(100)));
        using var host = builder.Build();
        await host.StartAsync();

        await Wait.UntilAsync(async () =>
        {
            await using var context = _database.NewContext();
            return !await context.Set<InboxMarker>().AnyAsync(m => m.MessageId == "handled-2-days-ago");
        }, "the 2-day-old marker is deleted (retention 1 day)");
        await using var check = _database.NewContext();
        Assert.Equal(["handled-now"], await check.Set<InboxMarker>().Select(m => m.MessageId).ToListAsync());
        await host.StopAsync();
    }

    [Fact]
    public async Task The_gauges_show_unsent_rows_while_the_relay_is_stuck_and_the_counter_counts_sent_ones()
    {
        var queue = TestNames.Unique("orders");
        var hanging = new HangingTransport();
        var stuck = await RelayHost.StartAsync(_database, hanging);
        long depth = -1, sent = 0;
        double age = -1;
        using var listener = Listen(stuck.Services.GetRequiredService<IMeterFactory>(), (name, value) =>
        {
            switch (name)
            {
                case "messaging.outbox.depth": Interlocked.Exchange(ref depth, (long)value); break;
                case "messaging.outbox.oldest_unsent_age": Interlocked.Exchange(ref age, value); break;
                case "messaging.outbox.sent": Interlocked.Add(ref sent, (long)value); break;
            }
        });
        try
        {
            await stuck.PlaceOrdersAsync(OutboxDestination.Queue(queue), 30, keys: 3);
            await hanging.Entered.WaitAsync(Wait.Default);
            await Wait.UntilAsync(() =>
            {
                listener.RecordObservableInstruments();
                return Interlocked.Read(ref depth) == 30 && Volatile.Read(ref age) > 0;
            }, "the depth gauge shows 30 unsent rows with an age while the relay is stuck");
            Assert.Equal(0, Interlocked.Read(ref sent));
        }
        finally
        {
            await stuck.DisposeAsync();
        }

        await using var healthy = await RelayHost.StartAsync(_database, new RedisOutboxTransport(servers.Redis.Client));
        long healthyDepth = -1, healthySent = 0;
        using var healthyListener = Listen(healthy.Services.GetRequiredService<IMeterFactory>(), (name, value) =>
        {
            switch (name)
            {
                case "messaging.outbox.depth": Interlocked.Exchange(ref healthyDepth, (long)value); break;
                case "messaging.outbox.sent": Interlocked.Add(ref healthySent, (long)value); break;
            }
        });
        await Wait.UntilAsync(() =>
        {
            healthyListener.RecordObservableInstruments();
            return Interlocked.Read(ref healthySent) == 30 && Interlocked.Read(ref healthyDepth) == 0;
        }, "the sent counter reaches 30 and the depth gauge 0");
    }

    /// <summary>Hands every outbox measurement of one app instance (its meter factory) to <paramref name="record"/>.</summary>
    private static MeterListener Listen(IMeterFactory factory, Action<string, double> record)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == OutboxRelayOptions.MeterName && ReferenceEquals(instrument.Meter.Scope, factory))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => record(instrument.Name, value));
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => record(instrument.Name, value));
        listener.Start();
        return listener;
    }
}
