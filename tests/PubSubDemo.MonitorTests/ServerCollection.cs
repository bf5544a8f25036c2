namespace PubSubDemo.MonitorTests;

/// <summary>One server for the metrics and health tests; each test uses its own channel, queue and stream names.</summary>
[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<RedisServerFixture>
{
    public const string Name = "server";
}
