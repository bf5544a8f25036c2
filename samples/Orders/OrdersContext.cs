using Microsoft.EntityFrameworkCore;
using PubSubDemo.Messaging.EntityFrameworkCore;

namespace Orders;

/// <summary>The orders database: the business tables and, beside them, the outbox and the inbox, so each business write commits with its message or marker.</summary>
internal sealed class OrdersContext(DbContextOptions<OrdersContext> options) : DbContext(options)
{
    public DbSet<PlacedOrder> Orders => Set<PlacedOrder>();

    public DbSet<StockReservation> Reservations => Set<StockReservation>();

    public DbSet<OutboxMessage> Outbox => Set<OutboxMessage>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<PlacedOrder>(o =>
        {
            o.ToTable("orders");
            o.HasKey(x => x.Id);
        });
        modelBuilder.Entity<StockReservation>(r =>
        {
            r.ToTable("stock_reservations");
            r.HasKey(x => x.Id);
            // Not unique on purpose: an effect applied twice must show as a second row, for the summary and the
            // fault tests to see, rather than fail the handler.
            r.HasIndex(x => x.OrderId);
        });
        modelBuilder.AddMessagingOutbox().AddMessagingInbox();
    }
}

/// <summary>An order the order service saved: the business write its OrderPlaced commits with.</summary>
internal sealed class PlacedOrder
{
    public required string Id { get; set; }

    public required string Customer { get; set; }

    public required string Item { get; set; }

    public int Quantity { get; set; }

    public DateTime PlacedAt { get; set; }
}

/// <summary>The stock service's effect: one row per application, committed with its inbox marker.</summary>
internal sealed class StockReservation
{
    public long Id { get; set; }

    public required string OrderId { get; set; }

    public required string Item { get; set; }

    public int Quantity { get; set; }

    public DateTime ReservedAt { get; set; }
}

/// <summary>What the order service announces, and the stock service handles.</summary>
internal sealed record OrderPlaced(string OrderId, string Customer, string Item, int Quantity);
