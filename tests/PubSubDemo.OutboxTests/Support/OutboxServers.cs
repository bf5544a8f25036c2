namespace PubSubDemo.OutboxTests.Support;

/// <summary>
/// The servers of the outbox tests: one redis-server (the transport's destination) and one PostgreSQL, started side
/// by side once for the collection; SQLite needs no server (a temp file per test).
/// </summary>
public sealed class OutboxServers : IAsyncLifetime
{
    public RedisServerFixture Redis { get; } = new();

    public PostgresServer Postgres { get; } = new();

    public Task InitializeAsync() => Task.WhenAll(Redis.InitializeAsync(), Postgres.InitializeAsync());

    public async Task DisposeAsync()
    {
        await Redis.DisposeAsync();
        await Postgres.DisposeAsync();
    }
}

/// <summary>One collection, so the tests run one after another on the two cores and share the servers.</summary>
[CollectionDefinition(Name)]
public sealed class OutboxCollection : ICollectionFixture<OutboxServers>
{
    public const string Name = "outbox";
}
