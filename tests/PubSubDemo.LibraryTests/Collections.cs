namespace PubSubDemo.LibraryTests;

/// <summary>One redis-server for every library test here; each test uses its own queue, stream and channel names.</summary>
[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<RedisServerFixture>
{
    public const string Name = "library server";
}

/// <summary>One local Redis Cluster (3 primaries), for the partition test on a cluster.</summary>
[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<RedisClusterFixture>
{
    public const string Name = "library cluster";
}
