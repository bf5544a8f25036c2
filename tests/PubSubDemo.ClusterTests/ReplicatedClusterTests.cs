using PubSubDemo.Messaging.Cluster;
using Xunit.Abstractions;

namespace PubSubDemo.ClusterTests;

/// <summary>A cluster of 3 primaries with a replica each, the shape the failover tests need.</summary>
[CollectionDefinition(Name)]
public sealed class ReplicatedClusterCollection : ICollectionFixture<RedisClusterWithReplicasFixture>
{
    public const string Name = "replicated cluster";
}

[Collection(ReplicatedClusterCollection.Name)]
public sealed class ReplicatedClusterTests(RedisClusterWithReplicasFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Each_of_the_three_primaries_has_one_replica_and_a_service_logs_them()
    {
        output.WriteLine(fixture.Description);
        var shape = await ClusterShape.ReadAsync(fixture.Cluster.Client);

        Assert.NotNull(shape);
        Assert.Equal((3, 3), (shape.Primaries.Count, shape.Replicas));
        Assert.All(shape.Primaries, p => Assert.Single(p.Replicas));

        await using var hosts = new ServiceHostGroup(output);
        var subscriber = await hosts.Add("subscriber", ServiceHost.Subscriber(fixture.Address, new Dictionary<string, string?> { ["PATTERN"] = "queue", ["QUEUE"] = TestNames.Unique("queue") })).StartAndWaitConsumingAsync();
        await subscriber.WaitForLogAsync($"Redis Cluster of {shape.Describe()}");
    }
}
