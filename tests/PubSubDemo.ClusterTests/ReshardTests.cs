using PubSubDemo.Messaging;
using PubSubDemo.ClusterTests.Support;
using PubSubDemo.Messaging.Processing;
using Xunit.Abstractions;

namespace PubSubDemo.ClusterTests;

/// <summary>
/// The slot of a queue (or a stream) moves to another primary while messages flow: IMPORTING and MIGRATING, then
/// MIGRATE one key at a time with a pause, so that the queue's keys are split between the two nodes for a while and
/// its two-key scripts get TRYAGAIN, then SETSLOT NODE. No reply is lost in a reshard: nothing may be lost, and
/// a message is handled twice only where its acknowledgement was refused.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ReshardTests(RedisClusterFixture fixture, ITestOutputHelper output)
{
    private const int Count = 1500;
    private const int Rate = 500;

    private RedisCluster Cluster => fixture.Cluster;

    [Theory]
    [InlineData(MessageSource.Queue, "classic")]
    [InlineData(MessageSource.Stream, "sharded")]
    public async Task Moving_the_slot_to_another_primary_while_messages_flow_loses_nothing_and_repeats_only_refused_acknowledgements(MessageSource source, string mode)
    {
        var key = TestNames.Unique(source == MessageSource.Queue ? "queue" : "stream");
        var slot = Cluster.Client.HashSlot(key);
        var from = await Cluster.NodeServingAsync(slot);
        var target = (await Cluster.PrimariesAsync()).First(p => p.Port != from.Port);
        output.WriteLine($"{fixture.Description}; {source} {key} in slot {slot} on port {from.Port}, PUBSUB_MODE={mode}");
        await using var flow = await MessageFlow.StartAsync(Cluster, source, key, mode, Count, Rate, output);

        await Wait.UntilAsync(() => flow.Handled >= Count / 4, $"{Count / 4} messages are handled before the move");
        var startedAt = flow.Now;
        var moved = await Cluster.MoveSlotAsync(slot, target, TimeSpan.FromMilliseconds(150));
        output.WriteLine($"Moved slot {slot} from port {from.Port} to port {target.Port}: {moved} keys, one at a time, from {startedAt.TotalSeconds:0.000}s to {flow.Now.TotalSeconds:0.000}s ({flow.SentAt(startedAt)} to {flow.SentAt(flow.Now)} acknowledged meanwhile)");
        Assert.True(flow.Stats.Sent < Count, "the publisher finished before the move did: nothing flowed during it");

        var ledger = await flow.SettleAsync(TimeSpan.FromSeconds(60));
        var retries = flow.Subscribers.Append(flow.Publisher).SelectMany(h => h.Log.Lines).Where(l => l.Contains("TRYAGAIN", StringComparison.Ordinal) || l.Contains("EXECABORT", StringComparison.Ordinal)).ToList();
        output.WriteLine($"Ledger: {ledger.Describe()}; publisher sent {flow.Stats.Sent}, retries {flow.Stats.Retries}, unsent {flow.Stats.Unsent}; {retries.Count} TRYAGAIN/EXECABORT retries logged");
        foreach (var line in retries.Take(5))
        {
            output.WriteLine(line);
        }

        Assert.Equal(target.Port, (await Cluster.NodeServingAsync(slot)).Port);
        // The queue settles with one LPOP, which follows ASK, so nothing repeats. The stream acknowledges in a
        // MULTI, and a command queued on the old owner after the key left gets ASK, which discards the transaction
        // (EXECABORT): that batch stays pending, and is read again and handled again. At least once, and no more
        // than one batch of BATCH_SIZE per refused acknowledgement.
        var refusedAcks = retries.Count(l => l.Contains("EXECABORT", StringComparison.Ordinal));
        ledger.AssertNothingLost(duplicatesAllowed: source == MessageSource.Stream);
        Assert.True(ledger.Duplicates <= MessageFlow.BatchSize * refusedAcks, $"{ledger.Duplicates} handled twice, more than {MessageFlow.BatchSize} for each of the {refusedAcks} refused acknowledgements");
        Assert.Equal(Count, ledger.HandledDistinct);
        Assert.Equal((Count, 0L), (flow.Stats.Sent, flow.Stats.Unsent));
        Assert.Equal(0, ledger.DeadLettered);
    }
}
