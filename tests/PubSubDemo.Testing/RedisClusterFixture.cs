using Xunit;

namespace PubSubDemo.Testing;

/// <summary>One local Redis Cluster per test collection: 3 primaries, and <see cref="ReplicasPerPrimary"/> replicas each.</summary>
public class RedisClusterFixture : IAsyncLifetime
{
    private RedisCluster? _cluster;

    /// <summary>0 here; a fixture for failover tests overrides it.</summary>
    protected virtual int ReplicasPerPrimary => 0;

    public RedisCluster Cluster => _cluster ?? throw new InvalidOperationException("the cluster is not started");

    /// <summary>REDIS_ADDR for the services: one node only, so that the services must discover the rest.</summary>
    public string Address => Cluster.Nodes[0].Address;

    public string Description => Cluster.Description;

    public async Task InitializeAsync() => _cluster = await RedisCluster.StartAsync(3, ReplicasPerPrimary);

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}

/// <summary>A cluster of 3 primaries with one replica each, for the tests that kill a primary.</summary>
public sealed class RedisClusterWithReplicasFixture : RedisClusterFixture
{
    protected override int ReplicasPerPrimary => 1;
}
