using PubSubDemo.Messaging;
using PubSubDemo.ClusterTests.Support;
using PubSubDemo.FaultTests.Support;
using PubSubDemo.Messaging.Processing;
using Xunit.Abstractions;

namespace PubSubDemo.ClusterTests;

/// <summary>
/// kill -9 of the primary that owns a queue's (or a stream's) slot while messages flow from the real publisher to two
/// real subscribers; its replica is promoted and the services carry on without a restart. Redis Cluster replicates
/// asynchronously, so a write the old primary acknowledged but had not yet passed on is gone: the Ledger accounts for
/// every message, and the lost ones may only be ones acknowledged in the last moments before the kill.
/// </summary>
[Collection(ReplicatedClusterCollection.Name)]
public sealed class FailoverTests(RedisClusterWithReplicasFixture fixture, ITestOutputHelper output)
{
    private const int Count = 2000;
    private const int Rate = 500;

    /// <summary>How far before the kill a lost write may have been acknowledged: replication on loopback takes well under a millisecond.</summary>
    private static readonly TimeSpan LossWindow = TimeSpan.FromMilliseconds(500);

    private RedisCluster Cluster => fixture.Cluster;

    [Theory]
    [InlineData(MessageSource.Queue, "classic")]
    [InlineData(MessageSource.Stream, "sharded")]
    public async Task The_services_carry_on_after_the_primary_of_their_slot_is_killed_and_lose_only_what_it_had_not_replicated(MessageSource source, string mode)
    {
        var key = TestNames.Unique(source == MessageSource.Queue ? "queue" : "stream");
        var slot = Cluster.Client.HashSlot(key);
        output.WriteLine($"{fixture.Description}; {source} {key} in slot {slot} on port {(await Cluster.NodeServingAsync(slot)).Port}, PUBSUB_MODE={mode}");
        await using var flow = await MessageFlow.StartAsync(Cluster, source, key, mode, Count, Rate, output);

        await Wait.UntilAsync(() => flow.Handled >= Count / 4, $"{Count / 4} messages are handled before the kill");
        var killed = await Cluster.NodeServingAsync(slot);
        var killedAt = flow.Now;
        List<string> lost;
        Ledger ledger;
        TimeSpan promotedAt;
        try
        {
            var (promoted, took) = await Cluster.KillPrimaryAsync(killed, slot, TimeSpan.FromSeconds(20));
            promotedAt = flow.Now;
            output.WriteLine($"Killed the primary on port {killed.Port} at {killedAt.TotalSeconds:0.000}s ({flow.SentAt(killedAt)} acknowledged, {flow.Handled} handled); its replica on port {promoted.Port} served slot {slot} {took.TotalSeconds:0.0}s later");

            ledger = await flow.SettleAsync(TimeSpan.FromSeconds(60));
            lost = [.. ledger.Missing()];
            output.WriteLine($"Ledger: {ledger.Describe()}; publisher sent {flow.Stats.Sent}, retries {flow.Stats.Retries}, unsent {flow.Stats.Unsent}");
            foreach (var id in lost)
            {
                var at = flow.AcknowledgedAt(Seq(id));
                output.WriteLine($"Lost: {id}, acknowledged at {at?.TotalSeconds:0.000}s, {(killedAt - at)?.TotalMilliseconds:0.0} ms before the kill");
            }
        }
        finally
        {
            // Put the fixture back in shape for the next test: the killed node returns as a replica of the promoted one.
            await Cluster.RejoinAsReplicaAsync(killed);
            output.WriteLine($"The killed node on port {killed.Port} is back as a replica");
        }

        var lostSeqs = lost.Select(Seq).ToList();

        // The services carried on: everything was sent, and every message that was not lost was handled.
        Assert.Equal((Count, 0L), (flow.Stats.Sent, flow.Stats.Unsent));
        Assert.Equal(0, ledger.DeadLettered);
        Assert.Equal(Count - lost.Count, ledger.HandledDistinct);

        // What was lost was acknowledged by the old primary in the last moments before the kill: nothing later, nothing older.
        Assert.True(lost.Count <= Rate * LossWindow.TotalSeconds, $"{lost.Count} lost, more than {LossWindow.TotalMilliseconds} ms of traffic at {Rate}/s");
        Assert.All(lostSeqs, seq =>
        {
            var at = flow.AcknowledgedAt(seq);
            Assert.True(at is { } t && t >= killedAt - LossWindow && t <= promotedAt, $"message {seq} was lost but acknowledged at {at?.TotalSeconds:0.000}s, outside {killedAt - LossWindow:g}..{promotedAt:g}");
        });

        // Every message the publisher had acknowledged after the promotion was handled.
        var afterPromotion = flow.SentAt(promotedAt);
        Assert.DoesNotContain(lostSeqs, seq => seq > afterPromotion);
        Assert.All(flow.Subscribers, s => Assert.Equal(0, source == MessageSource.Queue ? s.SubscriberStats.Queue.Malformed : s.SubscriberStats.Stream.Malformed));
    }

    private static long Seq(string id) => long.Parse(id[(id.LastIndexOf('-') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
}
