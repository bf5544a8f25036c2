using Microsoft.EntityFrameworkCore;

namespace PubSubDemo.Messaging.EntityFrameworkCore;

/// <summary>
/// Puts the outbox and inbox tables into the app's own model, so they commit in the same transaction as its
/// business tables. Call from <c>OnModelCreating</c>; the app's migrations (or <c>EnsureCreated</c>) then create them.
/// </summary>
public static class MessagingModelBuilderExtensions
{
    /// <summary>Maps <see cref="OutboxMessage"/> to <c>messaging_outbox</c> and <see cref="OutboxLease"/> to <c>messaging_outbox_lease</c>.</summary>
    public static ModelBuilder AddMessagingOutbox(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<OutboxMessage>(outbox =>
        {
            outbox.ToTable(OutboxSchema.Table);
            outbox.HasKey(m => m.Id);
            outbox.Property(m => m.Id).HasColumnName("id").ValueGeneratedOnAdd();
            outbox.Property(m => m.MessageId).HasColumnName("message_id").HasMaxLength(200);
            outbox.Property(m => m.DestinationKind).HasColumnName("destination_kind");
            outbox.Property(m => m.DestinationName).HasColumnName("destination_name").HasMaxLength(500);
            outbox.Property(m => m.PartitionKey).HasColumnName("partition_key").HasMaxLength(500);
            outbox.Property(m => m.Payload).HasColumnName("payload");
            outbox.Property(m => m.CreatedAt).HasColumnName("created_at");
            outbox.Property(m => m.DueAt).HasColumnName("due_at");
            outbox.Property(m => m.SentAt).HasColumnName("sent_at");
            outbox.Property(m => m.Attempts).HasColumnName("attempts");
            outbox.Property(m => m.LastError).HasColumnName("last_error").HasMaxLength(2000);
            outbox.Property(m => m.Refusals).HasColumnName("refusals");
            outbox.Property(m => m.NextAttemptAt).HasColumnName("next_attempt_at");
            outbox.Property(m => m.ParkedAt).HasColumnName("parked_at");
            outbox.Ignore(m => m.Destination);
            // The relay's query: unsent rows in sequence order. Partial, so sent rows awaiting cleanup cost it nothing.
            outbox.HasIndex(m => m.Id).HasDatabaseName("ix_messaging_outbox_unsent").HasFilter("sent_at IS NULL");
            // Ordering per key and the depth gauge read unsent rows of one key in sequence order.
            outbox.HasIndex(m => new { m.PartitionKey, m.Id }).HasDatabaseName("ix_messaging_outbox_key").HasFilter("sent_at IS NULL");
            // The cleanup deletes sent rows older than the retention.
            outbox.HasIndex(m => m.SentAt).HasDatabaseName("ix_messaging_outbox_sent").HasFilter("sent_at IS NOT NULL");
            // The operator's list of parked rows, and the gauge that counts them.
            outbox.HasIndex(m => m.ParkedAt).HasDatabaseName("ix_messaging_outbox_parked").HasFilter("parked_at IS NOT NULL");
        });

        modelBuilder.Entity<OutboxLease>(lease =>
        {
            lease.ToTable(OutboxSchema.LeaseTable);
            lease.HasKey(l => l.Name);
            lease.Property(l => l.Name).HasColumnName("name").HasMaxLength(200);
            lease.Property(l => l.Holder).HasColumnName("holder").HasMaxLength(200);
            lease.Property(l => l.ExpiresAt).HasColumnName("expires_at");
            // The cleanup deletes the leases of relay names no longer in use.
            lease.HasIndex(l => l.ExpiresAt).HasDatabaseName("ix_messaging_outbox_lease_expires");
        });
        return modelBuilder;
    }

    /// <summary>Maps <see cref="InboxMarker"/> to <c>messaging_inbox</c>, keyed by scope and message id.</summary>
    public static ModelBuilder AddMessagingInbox(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<InboxMarker>(inbox =>
        {
            inbox.ToTable(OutboxSchema.InboxTable);
            // The key is the guarantee: a second marker for the same delivery cannot commit.
            inbox.HasKey(m => new { m.Scope, m.MessageId });
            inbox.Property(m => m.Scope).HasColumnName("scope").HasMaxLength(200);
            inbox.Property(m => m.MessageId).HasColumnName("message_id").HasMaxLength(200);
            inbox.Property(m => m.HandledAt).HasColumnName("handled_at");
            inbox.HasIndex(m => m.HandledAt).HasDatabaseName("ix_messaging_inbox_handled");
        });
        return modelBuilder;
    }
}

/// <summary>The table and column names the raw SQL of the relay uses; the model above sets the same names.</summary>
internal static class OutboxSchema
{
    public const string Table = "messaging_outbox";
    public const string LeaseTable = "messaging_outbox_lease";
    public const string InboxTable = "messaging_inbox";
}
