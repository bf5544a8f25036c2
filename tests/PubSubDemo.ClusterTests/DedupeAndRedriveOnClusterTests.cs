using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using Xunit.Abstractions;

namespace PubSubDemo.ClusterTests;

/// <summary>
/// DEDUPE's markers and transactional effects, and the redrive verb, on the cluster with PARTITIONS=3 (partitions on
/// different primaries): every script touches one partition's slot, and every partition is served.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class DedupeAndRedriveOnClusterTests(RedisClusterFixture fixture, ITestOutputHelper output)
{
    private const int Count = 90;

    private RedisCluster Cluster => fixture.Cluster;

    [Theory]
    [InlineData("queue")]
    [InlineData("stream")]
    public async Task Effects_commit_once_per_partition_and_redriven_dead_letters_are_handled(string pattern)
    {
        var name = TestNames.Unique(pattern);
        var partitions = Partitions.Names(name, 3);
        output.WriteLine($"{fixture.Description}; partitions on {string.Join(", ", partitions.Select(p => Cluster.PrimaryOf(p)))}");
        var settings = new Dictionary<string, string?>
        {
            ["PATTERN"] = pattern,
            [pattern == "queue" ? "QUEUE" : "STREAM"] = name,
            ["PARTITIONS"] = "3",
            ["DEDUPE"] = "true",
            ["IDLE_POLL"] = "100ms",
        };
        var database = Cluster.Client.GetDatabase();
        await using var hosts = new ServiceHostGroup(output);

        // The demo handler with FAIL_ON: its per-sender count is the effect; one poison message per partition dies.
        var failing = await hosts.Add("failing subscriber", ServiceHost.Subscriber(fixture.Address, settings.With(("FAIL_ON", "POISON"), ("MAX_ATTEMPTS", "1"), ("CLAIM_IDLE", "100ms")))).StartAndWaitConsumingAsync();
        var publisher = hosts.Add("publisher", ServiceHost.Publisher(Cluster.Address, settings.With(("MESSAGE_COUNT", $"{Count}"), ("PUBLISH_RATE", "0"))));
        await publisher.StartAsync();
        await publisher.WaitForShutdownAsync(Wait.Default);
        foreach (var partition in partitions)
        {
            var poison = MessageReader.Write(new Message(TestNames.Unique("poison"), "a POISON pill", DateTimeOffset.UtcNow, Sender: "poisoner"));
            await SourceWrites.AddAsync(database, pattern, partition, poison);
        }

        var sink = pattern == "queue" ? failing.SubscriberStats.Queue : failing.SubscriberStats.Stream;
        await Wait.UntilAsync(() => sink.Handled == Count && sink.DeadLettered == 3, $"{Count} handled and 3 dead-lettered");
        Assert.Equal(Count, await SenderCountAsync(partitions, Published.Sender(publisher)));
        foreach (var partition in partitions)
        {
            Assert.True(await database.HashLengthAsync(KeyNames.Effects(partition) + "senders") > 0, $"partition {partition} holds no effect");
        }

        await failing.StopAsync();

        var fixedSubscriber = await hosts.Add("fixed subscriber", ServiceHost.Subscriber(fixture.Address, settings)).StartAndWaitConsumingAsync();
        var (exitCode, printed, errors) = await ServiceVerb.RunAsync("Subscriber", ["redrive", $"--{pattern}"], settings.With(("REDIS_ADDR", Cluster.Address)));
        output.WriteLine(printed + errors);
        Assert.Equal(0, exitCode);
        Assert.Contains($"Redrive {pattern} '{name}': 3 redriven, 0 skipped (unreadable, left dead), 0 remain dead", printed, StringComparison.Ordinal);

        await Wait.UntilAsync(async () => await SenderCountAsync(partitions, "poisoner") == 3, "the redriven messages' effects are committed");
        Assert.Equal(Count, await SenderCountAsync(partitions, Published.Sender(publisher)));
        Assert.Equal(0, (pattern == "queue" ? fixedSubscriber.SubscriberStats.Queue : fixedSubscriber.SubscriberStats.Stream).Duplicate);
        foreach (var partition in partitions)
        {
            Assert.Equal(0, await database.ListLengthAsync(KeyNames.DeadLetters(partition)));
        }
    }

    private async Task<long> SenderCountAsync(IEnumerable<string> partitions, string sender)
    {
        long count = 0;
        foreach (var partition in partitions)
        {
            count += (long)await Cluster.Client.GetDatabase().HashGetAsync(KeyNames.Effects(partition) + "senders", sender);
        }

        return count;
    }
}
