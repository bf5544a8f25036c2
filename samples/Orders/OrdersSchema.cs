using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Orders;

/// <summary>
/// Creates the database and its tables at start with EnsureCreated: the sample runs from a fresh temp file with no
/// dotnet-ef step. An app in production ships EF Core migrations instead (the outbox and inbox tables are part of its
/// model, so `dotnet ef migrations add` picks them up; docs/outbox.md).
/// </summary>
internal static class OrdersSchema
{
    public static async Task EnsureAsync(IServiceProvider services, OrdersSettings settings, CancellationToken cancellationToken)
    {
        // Both roles may start at once on a new database: the loser of the race sees "already exists" and tries again,
        // by which time the winner's schema is committed and EnsureCreated finds it.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var scope = services.CreateAsyncScope();
                var context = scope.ServiceProvider.GetRequiredService<OrdersContext>();
                await context.Database.EnsureCreatedAsync(cancellationToken);
                if (!settings.IsPostgres)
                {
                    // WAL: the summary's reads and the other process's writes do not block each other (kept in the file).
                    await context.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
                }

                return;
            }
            catch (Exception ex) when (attempt < 10 && ex is SqliteException or PostgresException or DbUpdateException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(300 * attempt), cancellationToken);
            }
        }
    }
}
