using Microsoft.EntityFrameworkCore;

namespace PubSubDemo.Messaging.EntityFrameworkCore;

/// <summary>
/// The library's own context for apps that keep the messaging tables apart from their business tables. Such an
/// app gives up the single transaction with its business write (the outbox's point) unless both contexts share one
/// connection and transaction (<c>Database.UseTransaction</c>); the app's own DbContext with
/// <see cref="MessagingModelBuilderExtensions.AddMessagingOutbox"/> is the usual way.
/// </summary>
/// <param name="options">The provider and connection, as for any DbContext.</param>
public class MessagingDbContext(DbContextOptions options) : DbContext(options)
{
    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.AddMessagingOutbox().AddMessagingInbox();
    }
}
