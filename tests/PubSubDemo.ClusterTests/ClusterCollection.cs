namespace PubSubDemo.ClusterTests;

/// <summary>One local Redis Cluster (3 primaries) for every test here; each test uses its own channel and key names.</summary>
[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<RedisClusterFixture>
{
    public const string Name = "cluster";
}
