using Microsoft.EntityFrameworkCore;

namespace PubSubDemo.OutboxTests.Support;

/// <summary>An app's own DbContext: its business tables and, beside them, the outbox and inbox tables.</summary>
public sealed class ShopContext(DbContextOptions<ShopContext> options) : DbContext(options)
{
    public DbSet<Order> Orders => Set<Order>();

    public DbSet<StockReservation> Reservations => Set<StockReservation>();

    public DbSet<OutboxMessage> Outbox => Set<OutboxMessage>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Order>().HasKey(o => o.Id);
        modelBuilder.Entity<StockReservation>().HasKey(r => r.Id);
        modelBuilder.AddMessagingOutbox().AddMessagingInbox();
    }
}

/// <summary>The business write the outbox row must commit with.</summary>
public sealed class Order
{
    public required string Id { get; set; }

    public required string Customer { get; set; }
}

/// <summary>The consumer's effect: one row per application, so a second application shows as a second row.</summary>
public sealed class StockReservation
{
    public long Id { get; set; }

    public required string OrderId { get; set; }
}
