using Microsoft.EntityFrameworkCore;
using PubSubDemo.OutboxTests.Support;

namespace PubSubDemo.OutboxTests;

/// <summary>The inbox: a delivery's effect at most once per consumer scope, on SQLite and on PostgreSQL.</summary>
public abstract class InboxTests(OutboxServers servers, DatabaseKind kind) : IAsyncLifetime
{
    private const string Scope = "stock-reservations";
    private TestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await TestDatabase.CreateAsync(kind, servers.Postgres, "inbox");

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task The_same_delivery_twice_applies_its_effect_once()
    {
        var id = Guid.NewGuid().ToString("N");
        Assert.Equal(InboxOutcome.Applied, await DeliverAsync(id));
        Assert.Equal(InboxOutcome.Duplicate, await DeliverAsync(id));
        // Another consumer scope handles the same message once for itself.
        await using (var context = _database.NewContext())
        {
            Assert.Equal(InboxOutcome.Applied, await InboxExecution.RunOnceAsync(context, "audit", id, (_, _) => Task.CompletedTask));
        }

        Assert.Equal(1, await ReservationsAsync(id));
    }

    [Fact]
    public async Task Concurrent_duplicate_deliveries_apply_the_effect_once()
    {
        var ids = Enumerable.Range(0, 15).Select(_ => Guid.NewGuid().ToString("N")).ToList();
        // Four deliveries of every id at once, each in its own context and transaction, as redeliveries race.
        var outcomes = await Task.WhenAll(ids.SelectMany(id => Enumerable.Range(0, 4).Select(_ => Task.Run(async () => (id, outcome: await DeliverAsync(id))))));

        Assert.All(ids, id => Assert.Single(outcomes, o => o.id == id && o.outcome == InboxOutcome.Applied));
        await using var context = _database.NewContext();
        Assert.Equal(ids.Count, await context.Reservations.CountAsync());
        Assert.Equal(ids.Count, await context.Set<InboxMarker>().CountAsync(m => m.Scope == Scope));
    }

    [Fact]
    public async Task A_marker_that_loses_the_race_at_commit_reads_as_already_handled()
    {
        var id = Guid.NewGuid().ToString("N");
        await using var first = _database.NewContext();
        await using var second = _database.NewContext();
        var firstInbox = new Inbox<ShopContext>(first, TimeProvider.System);
        var secondInbox = new Inbox<ShopContext>(second, TimeProvider.System);
        // Both look before either commits: both may go on.
        Assert.True(await firstInbox.TryRecordAsync(Scope, id));
        Assert.True(await secondInbox.TryRecordAsync(Scope, id));
        Assert.False(await firstInbox.TryRecordAsync(Scope, id));

        await first.SaveChangesAsync();
        await Assert.ThrowsAsync<DbUpdateException>(() => second.SaveChangesAsync());
        Assert.True(await secondInbox.IsAlreadyHandledAsync(Scope, id));
    }

    [Fact]
    public async Task A_failed_effect_leaves_no_marker_and_the_retry_applies_it()
    {
        var id = Guid.NewGuid().ToString("N");
        await using (var context = _database.NewContext())
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => InboxExecution.RunOnceAsync(context, Scope, id, (db, _) =>
            {
                db.Reservations.Add(new StockReservation { OrderId = id });
                throw new InvalidOperationException("handler failed (test)");
            }));
        }

        Assert.Equal(0, await ReservationsAsync(id));
        Assert.Equal(InboxOutcome.Applied, await DeliverAsync(id));
        Assert.Equal(1, await ReservationsAsync(id));
    }

    private async Task<InboxOutcome> DeliverAsync(string id)
    {
        await using var context = _database.NewContext();
        return await InboxExecution.RunOnceAsync(context, Scope, id, (db, _) =>
        {
            db.Reservations.Add(new StockReservation { OrderId = id });
            return Task.CompletedTask;
        });
    }

    private async Task<int> ReservationsAsync(string id)
    {
        await using var context = _database.NewContext();
        return await context.Reservations.CountAsync(r => r.OrderId == id);
    }
}

[Collection(OutboxCollection.Name)]
public sealed class SqliteInboxTests(OutboxServers servers) : InboxTests(servers, DatabaseKind.Sqlite);

[Collection(OutboxCollection.Name)]
public sealed class PostgresInboxTests(OutboxServers servers) : InboxTests(servers, DatabaseKind.Postgres);
