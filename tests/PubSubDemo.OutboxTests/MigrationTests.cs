using Microsoft.EntityFrameworkCore;
using PubSubDemo.OutboxTests.Support;

namespace PubSubDemo.OutboxTests;

/// <summary>
/// The app's own migrations carry the outbox and inbox tables (AddMessagingOutbox/AddMessagingInbox are in its model),
/// so <c>Database.MigrateAsync()</c> makes a schema the relay and the inbox work on. SQLite only: a migration is
/// written per provider, and this one (Migrations/) was made by dotnet-ef against SQLite.
/// </summary>
[Collection(OutboxCollection.Name)]
public sealed class SqliteMigrationTests
{
    [Fact]
    public async Task A_migrated_database_carries_the_outbox_and_the_inbox()
    {
        await using var database = TestDatabase.SqliteFile(Path.Combine(Path.GetTempPath(), $"pubsubdemo-migrated-{Guid.NewGuid():N}.db"));
        await using (var context = database.NewContext())
        {
            await context.Database.MigrateAsync();
            Assert.Empty(await context.Database.GetPendingMigrationsAsync());
            context.Orders.Add(new Order { Id = "migrated", Customer = "c" });
            new Outbox<ShopContext>(context, TimeProvider.System).Add(OutboxDestination.Queue("q"), "migrated", "c", [1]);
            await context.SaveChangesAsync();
        }

        await using (var context = database.NewContext())
        {
            Assert.Equal(InboxOutcome.Applied, await InboxExecution.RunOnceAsync(context, "scope", "migrated", (_, _) => Task.CompletedTask));
        }

        await using (var context = database.NewContext())
        {
            Assert.Equal(InboxOutcome.Duplicate, await InboxExecution.RunOnceAsync(context, "scope", "migrated", (_, _) => Task.CompletedTask));
        }

        // The relay's queries (lease, batch, marking) run against the migrated tables.
        var transport = new RecordingTransport();
        await using var host = await RelayHost.StartAsync(database, transport);
        await Wait.UntilAsync(() => transport.Sent.Count == 1, "the relay sends the row from the migrated table");
        Assert.Equal("migrated", transport.Sent[0].MessageId);
    }
}
