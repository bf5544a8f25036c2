using System.Diagnostics;
using PubSubDemo.FaultTests.Support;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using Xunit.Abstractions;

namespace PubSubDemo.FaultTests;

/// <summary>
/// DEDUPE=true with the demo handler's transactional effect (DEDUPE_AUDIT=true: a hash of message id → how many times
/// its effect was applied). A consumer killed with -9 in the middle of its batches, again and again, leaves messages it
/// had handled but not committed; they are handled again elsewhere, and yet every id's effect is applied exactly once.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class EffectivelyOnceTests(ITestOutputHelper output)
{
    private const int Count = 3000;
    private const int Kills = 5;

    [Theory]
    [InlineData("queue")]
    [InlineData("stream")]
    public async Task With_DEDUPE_each_id_s_effect_is_applied_exactly_once_while_a_consumer_is_killed_9_again_and_again(string pattern)
    {
        var clock = Stopwatch.StartNew();
        await using var server = await FaultServer.StartAsync();
        output.WriteLine($"Server: {server.Kind}");
        var source = DurableSource.Create(pattern);
        Dictionary<string, string?> Settings(string consumer) => source.Settings(
            withGroup: true,
            ("CONSUMER_NAME", consumer),
            ("DEDUPE", "true"),
            ("DEDUPE_AUDIT", "true"),
            ("BATCH_SIZE", "10"),
            ("HANDLER_DELAY", "10ms"),
            ("HEARTBEAT_TTL", "2s"),
            ("CLAIM_IDLE", "1s"),
            ("IDLE_POLL", "200ms"));
        var victimName = Services.Name("victim");
        var survivorNames = new[] { Services.Name("bravo"), Services.Name("charlie") };
        await using var processes = new ProcessSet(output, tailLines: 15);
        var all = new List<ServiceProcess>();
        var survivors = processes.AddAll(survivorNames, await Services.StartSubscribersAsync(server.Address, survivorNames.Select(Settings)));
        var victim = processes.Add(victimName, await Services.StartSubscriberAsync(server.Address, Settings(victimName)));
        all.AddRange(survivors);
        all.Add(victim);

        await using var publisher = Services.Publisher(server.Address, source.Settings(withGroup: false, ("MESSAGE_COUNT", Count.ToString()), ("PUBLISH_RATE", "500")));
        await publisher.StartAsync();
        for (var kill = 1; kill <= Kills; kill++)
        {
            // Killed right after it prints a handled line: the rest of its batch is handled or in hand, not committed. The
            // publisher outpaces the three consumers (about 100 a second each), so the batches are full while this runs.
            await Wait.UntilAsync(() => ServiceOutput.CountHandled(victim) >= 15, $"the victim (run {kill}) has handled 15 {source.Items}", TimeSpan.FromSeconds(60));
            await victim.KillAfterNextLineAsync();
            output.WriteLine($"kill {kill} at {clock.Elapsed.TotalSeconds:0.0}s, after the victim printed {ServiceOutput.CountHandled(victim)} handled lines");
            victim = processes.Add($"{victimName} (run {kill + 1})", await Services.StartSubscriberAsync(server.Address, Settings(victimName)));
            all.Add(victim);
        }

        var expected = Services.SentIds(publisher, Count).ToHashSet();
        // The demo handler's keys (DemoMessageHandler): "ids" with DEDUPE_AUDIT, "senders" always.
        var effects = KeyNames.Effects(source.Key) + "ids";
        await Wait.UntilAsync(
            async () => await server.Database.HashLengthAsync(effects) >= Count,
            $"the effect of all {Count} ids is applied",
            TimeSpan.FromSeconds(120));

        foreach (var process in survivors.Append(victim))
        {
            process.Terminate();
        }

        foreach (var process in survivors.Append(victim))
        {
            Assert.Equal(0, await process.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        }

        var applied = (await server.Database.HashGetAllAsync(effects)).ToDictionary(e => e.Name.ToString(), e => (long)e.Value);
        var ledger = new Ledger(expected).Handled(all.SelectMany(p => ServiceOutput.HandledIds(p, pattern)));
        output.WriteLine($"{ledger.Describe()}; effects applied to {applied.Count} ids in {clock.Elapsed.TotalSeconds:0.0}s");
        var wrong = applied.Where(a => a.Value != 1).Select(a => $"{a.Key} x{a.Value}").Order().ToList();
        Assert.True(wrong.Count == 0, $"{wrong.Count} ids whose effect was applied more than once: {string.Join(", ", wrong.Take(15))}");
        Assert.Empty(expected.Except(applied.Keys));
        Assert.Empty(applied.Keys.Except(expected));
        Assert.Equal(Count, (long)await server.Database.HashGetAsync(KeyNames.Effects(source.Key) + "senders", Services.Sender(publisher)));

        // The kills did hit messages handled but not yet committed: they were handled again, and applied once.
        Assert.True(ledger.Duplicates > 0, $"no message was handled twice, so the kills never hit the window this test is about: {ledger.Describe()}");
        ledger.AssertNothingLost(duplicatesAllowed: true);
        if (source.IsStream)
        {
            Assert.Equal(0, (await server.StreamStateAsync(source.Key, source.Group!)).PendingCount);
        }
        else
        {
            Assert.Equal(0, await server.Database.ListLengthAsync(source.Key));
            Assert.Empty(await server.ProcessingListsAsync(source.Key));
        }
    }
}
