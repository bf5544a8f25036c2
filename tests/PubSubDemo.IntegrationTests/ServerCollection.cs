namespace PubSubDemo.IntegrationTests;

/// <summary>One server for every integration test; each test uses its own channel and key names.</summary>
[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<RedisServerFixture>
{
    public const string Name = "server";
}
