using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;

namespace Orders;

/// <summary>
/// The sample's settings, each read once from the environment: REDIS_ADDR, ORDERS_DB (an SQLite file path, or a
/// PostgreSQL connection string starting with <c>Host=</c>), ORDERS_QUEUE, ORDER_COUNT (the orders the database holds
/// when the order service stops placing; 0 = until stopped), ORDER_RATE (orders per second; 0 = as fast as it can),
/// CONSUMER_NAME (the stock service's consumer name, pinned so a restart takes over its own unfinished deliveries).
/// </summary>
internal sealed record OrdersSettings(string RedisAddress, string Database, string Queue, int OrderCount, double OrderRate, string ConsumerName)
{
    /// <summary>Two lists, so the relay's batches and the consumer's takes spread; the two roles must agree on it.</summary>
    public const int Partitions = 2;

    public static readonly TimeSpan SummaryInterval = TimeSpan.FromSeconds(2);

    public bool IsPostgres => Database.StartsWith("Host=", StringComparison.OrdinalIgnoreCase);

    /// <summary>The settings, or one line naming the first bad variable.</summary>
    public static (OrdersSettings? Settings, string? Error) From(IConfiguration configuration)
    {
        var redis = configuration["REDIS_ADDR"] ?? "localhost:6379";
        if (string.IsNullOrWhiteSpace(redis))
        {
            return (null, "REDIS_ADDR is empty; give host:port of the Redis-protocol server");
        }

        var database = configuration["ORDERS_DB"] ?? "orders.db";
        if (string.IsNullOrWhiteSpace(database))
        {
            return (null, "ORDERS_DB is empty; give an SQLite file path or a PostgreSQL connection string starting with 'Host='");
        }

        var queue = configuration["ORDERS_QUEUE"] ?? "orders";
        if (queue.Length == 0 || queue.Any(char.IsWhiteSpace))
        {
            return (null, $"ORDERS_QUEUE='{queue}' is not a queue name (non-empty, no spaces)");
        }

        var countText = configuration["ORDER_COUNT"] ?? "0";
        if (!int.TryParse(countText, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            return (null, $"ORDER_COUNT='{countText}' is not a whole number of orders (0 = until stopped)");
        }

        var rateText = configuration["ORDER_RATE"] ?? "5";
        if (!double.TryParse(rateText, NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) || rate < 0 || !double.IsFinite(rate))
        {
            return (null, $"ORDER_RATE='{rateText}' is not a number of orders per second (0 = as fast as it can)");
        }

        var consumer = configuration["CONSUMER_NAME"] ?? "stock-service";
        if (consumer.Length == 0 || consumer.Any(char.IsWhiteSpace))
        {
            return (null, $"CONSUMER_NAME='{consumer}' is not a consumer name (non-empty, no spaces)");
        }

        return (new OrdersSettings(redis, database, queue, count, rate, consumer), null);
    }

    /// <summary>Points a DbContext at ORDERS_DB: PostgreSQL for a connection string, otherwise an SQLite file.</summary>
    public void Configure(DbContextOptionsBuilder options)
    {
        if (IsPostgres)
        {
            options.UseNpgsql(Database);
        }
        else
        {
            // Two processes write the file: a writer waits up to 30 s for the other's transaction (busy timeout).
            options.UseSqlite($"Data Source={Database};Default Timeout=30");
        }
    }
}
