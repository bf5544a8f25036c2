using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace PubSubDemo.OutboxTests.Support;

/// <summary>The two providers the tests run on.</summary>
public enum DatabaseKind
{
    Sqlite,
    Postgres,
}

/// <summary>
/// A fresh database for one test: a temp SQLite file in WAL mode (readers beside the writer, as an app would run it),
/// or a new PostgreSQL database on the fixture's server. The schema comes from EnsureCreated.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string? _file;

    private TestDatabase(DatabaseKind kind, string connectionString, string? file)
    {
        Kind = kind;
        ConnectionString = connectionString;
        _file = file;
    }

    public DatabaseKind Kind { get; }

    public string ConnectionString { get; }

    public static async Task<TestDatabase> CreateAsync(DatabaseKind kind, PostgresServer postgres, string purpose)
    {
        TestDatabase database;
        if (kind == DatabaseKind.Sqlite)
        {
            var file = Path.Combine(Path.GetTempPath(), $"pubsubdemo-outbox-{purpose}-{Guid.NewGuid():N}.db");
            database = SqliteFile(file);
        }
        else
        {
            database = new(kind, postgres.ConnectionString(PostgresServer.UniqueDatabase(purpose)), null);
        }

        await using var context = database.NewContext();
        await context.Database.EnsureCreatedAsync();
        if (kind == DatabaseKind.Sqlite)
        {
            await context.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
        }

        return database;
    }

    /// <summary>A SQLite file whose schema the test makes itself (e.g. by migrations); deleted on dispose.</summary>
    public static TestDatabase SqliteFile(string file) => new(DatabaseKind.Sqlite, $"Data Source={file};Default Timeout=30", file);

    /// <summary>
    /// Points <paramref name="options"/> at this database; on PostgreSQL <paramref name="applicationName"/> names the
    /// connections (pg_stat_activity), so a test can cut one app instance's connections as its crash would.
    /// </summary>
    public void Configure(DbContextOptionsBuilder options, string? applicationName = null)
    {
        if (Kind == DatabaseKind.Sqlite)
        {
            options.UseSqlite(ConnectionString);
        }
        else
        {
            options.UseNpgsql(applicationName is null ? ConnectionString : $"{ConnectionString};Application Name={applicationName}");
        }
    }

    /// <summary>A context without the relay's wake-up signal, for arranging and checking.</summary>
    public ShopContext NewContext()
    {
        var options = new DbContextOptionsBuilder<ShopContext>();
        Configure(options);
        return new ShopContext(options.Options);
    }

    public ValueTask DisposeAsync()
    {
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

        return ValueTask.CompletedTask;
    }
}
