using Microsoft.Extensions.DependencyInjection;
using PubSubDemo.Messaging;
using Xunit.Abstractions;

namespace PubSubDemo.LibraryTests;

/// <summary>A partitioned queue on a Redis Cluster through the library: its partitions spread over the primaries, each served.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterPartitionTests(RedisClusterFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task A_queue_of_three_partitions_on_a_cluster_spreads_over_the_primaries_and_handles_every_order_once_in_key_order()
    {
        output.WriteLine(fixture.Description);
        const int count = 150;
        // Partitions are spread by slot, not by node: a name near a node's slot boundary can put two of three on one
        // primary (one CI run in three here). The test is about spreading over the primaries, so it takes a name whose
        // three partitions the cluster serves from three different primaries.
        var queue = Enumerable.Range(0, 200).Select(_ => TestNames.Unique("cluster-orders"))
            .First(q => PubSubDemo.Messaging.Contract.Partitions.Names(q, 3).Select(n => fixture.Cluster.PrimaryOf(n).ToString()).Distinct().Count() == 3);
        var steps = Enumerable.Range(0, count).Select(i => new Step($"customer-{i % 10}", i / 10)).ToArray();
        static void Partitioned(QueueOptions o) => (o.Partitions, o.IdlePoll) = (3, TimeSpan.FromMilliseconds(100));

        // A producer first (one node given: the client finds the rest), so the partition lists can be seen on the server.
        IReadOnlyList<string> ids;
        await using (var producer = await TestHost.StartAsync(output, s => s.AddRedisMessaging(o => o.ConnectionString = fixture.Address)
            .AddQueue<Step>(queue, TestJson.Default.Step, Partitioned), "producer"))
        {
            ids = await producer.Producer<Step>(queue).SendAsync(steps, s => s.Customer);
        }

        // The lists exist once SendAsync returns; waited for with a deadline all the same, as every read of the cluster here.
        var lists = new List<string>();
        await Wait.UntilAsync(
            async () => (lists = (await fixture.Cluster.KeysAsync($"{queue}*")).Where(k => !k.StartsWith('{')).ToList()).Count == 3,
            "the three partition lists are seen on the cluster");
        output.WriteLine($"partition lists: {string.Join(", ", lists.Select(l => $"{l} on {fixture.Cluster.PrimaryOf(l)}"))}");
        Assert.Equal(3, lists.Count);
        Assert.Equal(3, lists.Select(l => fixture.Cluster.PrimaryOf(l).ToString()).Distinct().Count());
        Assert.Equal(count, lists.Sum(l => fixture.Cluster.Client.GetDatabase().ListLength(l)));

        var inbox = new Inbox<Step>();
        await using var consumer = await TestHost.StartAsync(output, s => s.AddSingleton(inbox).AddRedisMessaging(o => o.ConnectionString = fixture.Address)
            .AddQueue<Step, InboxHandler<Step>>(queue, TestJson.Default.Step, Partitioned), "consumer");

        await Wait.UntilAsync(() => inbox.Handled.Count >= count, $"{count} steps are handled", TimeSpan.FromSeconds(30));
        await Wait.UntilAsync(async () => (await fixture.Cluster.KeysAsync($"{{{queue}*:processing:*")).Count == 0, "every processing list is settled");
        Assert.Equal(ids.Order(StringComparer.Ordinal), inbox.Handled.Select(c => c.Id).Order(StringComparer.Ordinal));
        foreach (var customer in steps.Select(s => s.Customer).Distinct())
        {
            Assert.Equal(Enumerable.Range(0, count / 10), inbox.Handled.Where(c => c.Message.Customer == customer).Select(c => c.Message.Number));
        }
    }
}
