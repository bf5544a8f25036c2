using System.Data.Common;
using System.Reflection;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Npgsql;
using StackExchange.Redis;

namespace PubSubDemo.OutboxTests.Support;

/// <summary>
/// samples/Orders run as real processes against a redis-server of the test's own (persistent: appendonly, fsync
/// always, so it can be killed and restarted from its AOF) and a database of the test's own, which the sample creates.
/// What the tests assert is read from the database and the server, never from the processes' output (kill -9 drops
/// the lines still queued for the console).
/// </summary>
public sealed class OrdersRun : IAsyncDisposable
{
    private readonly List<ServiceProcess> _processes = [];
    private readonly string? _file;

    private OrdersRun(DatabaseKind kind, string database, RedisServerProcess redis, ConnectionMultiplexer client, string queue)
    {
        Kind = kind;
        Database = database;
        Redis = redis;
        Client = client;
        Queue = queue;
        _file = kind == DatabaseKind.Sqlite ? database : null;
    }

    public DatabaseKind Kind { get; }

    /// <summary>ORDERS_DB: an SQLite file path, or a PostgreSQL connection string.</summary>
    public string Database { get; }

    public RedisServerProcess Redis { get; }

    public ConnectionMultiplexer Client { get; }

    public string Queue { get; }

    public static async Task<OrdersRun> StartAsync(DatabaseKind kind, PostgresServer postgres, string purpose)
    {
        var database = kind == DatabaseKind.Sqlite
            ? Path.Combine(Path.GetTempPath(), $"pubsubdemo-orders-{purpose}-{Guid.NewGuid():N}.db")
            : postgres.ConnectionString(PostgresServer.UniqueDatabase(purpose));
        var redis = await RedisServerProcess.StartAsync(persistent: true);
        var client = await ConnectionMultiplexer.ConnectAsync($"{redis.Address},allowAdmin=true,abortConnect=false,connectRetry=10");
        return new OrdersRun(kind, database, redis, client, TestNames.Unique("orders"));
    }

    /// <summary>
    /// One role of the sample's dll, with this run's settings. Orders come at a set pace: as fast as it can, PostgreSQL
    /// saves the lot before a kill can aim at the middle of the run.
    /// </summary>
    public ServiceProcess Start(string role, int orderCount)
    {
        var process = ServiceProcess.StartExecutable("dotnet", new Dictionary<string, string?>
        {
            ["REDIS_ADDR"] = Redis.Address,
            ["ORDERS_DB"] = Database,
            ["ORDERS_QUEUE"] = Queue,
            ["ORDER_COUNT"] = $"{orderCount}",
            ["ORDER_RATE"] = "250",
            ["CONSUMER_NAME"] = $"stock-{Queue}",
        }, OrdersDll(), role);
        _processes.Add(process);
        return process;
    }

    /// <summary>Waits until the process's summary shows it has its database and runs (the schema exists from then on).</summary>
    public static Task RunningAsync(ServiceProcess process) => process.WaitForOutputAsync("] orders saved ", TimeSpan.FromSeconds(60));

    /// <summary>The order ids saved, with duplicates kept (there can be none: the key).</summary>
    public Task<List<string>> OrderIdsAsync() => ColumnAsync("""SELECT "Id" FROM orders""");

    /// <summary>The order id of every reservation, with duplicates kept: an effect applied twice shows twice.</summary>
    public Task<List<string>> ReservedOrderIdsAsync() => ColumnAsync("""SELECT "OrderId" FROM stock_reservations""");

    public Task<List<string>> UnsentMessageIdsAsync() => ColumnAsync("SELECT message_id FROM messaging_outbox WHERE sent_at IS NULL");

    public Task<List<string>> HandledMessageIdsAsync() => ColumnAsync("SELECT message_id FROM messaging_inbox WHERE scope = 'stock'");

    public async Task<long> CountAsync(string table)
    {
        try
        {
            return (await ColumnAsync($"SELECT COUNT(*) FROM {table}")).Select(long.Parse).Single();
        }
        catch (DbException)
        {
            // Not created yet.
            return 0;
        }
    }

    /// <summary>The message ids in every processing list of the queue: taken by a consumer, not acknowledged.</summary>
    public async Task<List<string>> InFlightMessageIdsAsync()
    {
        var ids = new List<string>();
        await foreach (var key in Client.GetServer(Redis.Address).KeysAsync(pattern: $"*{Queue}*:processing:*"))
        {
            ids.AddRange((await Client.GetDatabase().ListRangeAsync(key)).Select(IdOf));
        }

        return ids;
    }

    /// <summary>The message ids in every list of the queue (its partitions, processing and dead-letter lists).</summary>
    public async Task<List<string>> MessageIdsOnServerAsync()
    {
        var ids = new List<string>();
        await foreach (var key in Client.GetServer(Redis.Address).KeysAsync(pattern: $"*{Queue}*"))
        {
            if (await Client.GetDatabase().KeyTypeAsync(key) == RedisType.List)
            {
                ids.AddRange((await Client.GetDatabase().ListRangeAsync(key)).Select(IdOf));
            }
        }

        return ids;
    }

    /// <summary>
    /// kill -STOP of redis-server: it stops reading, so what clients send from now on waits, unexecuted, in its socket
    /// buffers; <see cref="ResumeRedisAsync"/> (kill -CONT) executes it, even for a client that died meanwhile.
    /// </summary>
    public async Task FreezeRedisAsync()
    {
        var info = await Client.GetServer(Redis.Address).InfoAsync("server");
        _redisPid = int.Parse(info.SelectMany(g => g).First(p => p.Key == "process_id").Value, System.Globalization.CultureInfo.InvariantCulture);
        await SignalAsync("STOP");
    }

    public Task ResumeRedisAsync() => SignalAsync("CONT");

    private int _redisPid;

    private async Task SignalAsync(string signal)
    {
        using var kill = System.Diagnostics.Process.Start("kill", [$"-{signal}", $"{_redisPid}"]);
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>Items in every list of the queue (its partitions, processing and dead-letter lists) and its due sets: 0 once it has drained.</summary>
    public async Task<long> ItemsOnServerAsync()
    {
        long items = 0;
        var database = Client.GetDatabase();
        await foreach (var key in Client.GetServer(Redis.Address).KeysAsync(pattern: $"*{Queue}*"))
        {
            items += await database.KeyTypeAsync(key) switch
            {
                RedisType.List => await database.ListLengthAsync(key),
                RedisType.SortedSet when !key.ToString().EndsWith(":consumers", StringComparison.Ordinal) => await database.SortedSetLengthAsync(key),
                _ => 0,
            };
        }

        return items;
    }

    private static string IdOf(RedisValue payload)
    {
        using var json = JsonDocument.Parse((byte[])payload!);
        return json.RootElement.GetProperty("id").GetString()!;
    }

    private async Task<List<string>> ColumnAsync(string sql)
    {
        await using DbConnection connection = Kind == DatabaseKind.Sqlite
            ? new SqliteConnection($"Data Source={Database};Default Timeout=30")
            : new NpgsqlConnection(Database);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync())
        {
            values.Add(Convert.ToString(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture)!);
        }

        return values;
    }

    /// <summary>Each process's output (for the test log) after SIGTERM to the ones still running.</summary>
    public async Task<string> StopAsync()
    {
        var lines = new List<string>();
        foreach (var process in _processes)
        {
            if (!process.HasExited)
            {
                process.Terminate();
                try
                {
                    await process.WaitForExitAsync(TimeSpan.FromSeconds(20));
                }
                catch (TimeoutException)
                {
                    process.KillHard();
                }
            }

            lines.Add($"--- process {process.Id}");
            lines.AddRange(process.Output.Where(l => l.StartsWith('[') || l.Contains("fail", StringComparison.OrdinalIgnoreCase) || l.Contains("rror", StringComparison.Ordinal)));
        }

        return string.Join('\n', lines);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }

        await Client.DisposeAsync();
        await Redis.DisposeAsync();
        if (_file is not null)
        {
            SqliteConnection.ClearAllPools();
            foreach (var path in new[] { _file, _file + "-wal", _file + "-shm" })
            {
                File.Delete(path);
            }
        }
        else
        {
            NpgsqlConnection.ClearAllPools();
        }
    }

    public static string OrdersDll()
    {
        var configuration = typeof(OrdersRun).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var dll = Repository.File(Path.Combine("samples", "Orders", "bin", configuration, "net10.0", "PubSubDemo.Orders.dll"));
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build samples/Orders first ({configuration})", dll);
    }
}
