using System.Diagnostics;
using PubSubDemo.FaultTests.Support;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using Xunit.Abstractions;

namespace PubSubDemo.FaultTests;

[Collection(FaultCollection.Name)]
public sealed class QueueConsumerCrashTests(ITestOutputHelper output)
{
    private const int Count = 1500;

    [Fact]
    public async Task Items_in_flight_at_a_kill_9_go_back_to_the_queue_and_every_id_is_handled_by_the_survivors()
    {
        var clock = Stopwatch.StartNew();
        await using var server = await FaultServer.StartAsync();
        output.WriteLine($"Server: {server.Kind}");
        var queue = TestNames.Unique("queue");
        var names = new[] { Services.Name("alpha"), Services.Name("bravo"), Services.Name("charlie") };
        await using var processes = new ProcessSet(output);
        var consumers = processes.AddAll(names, await Services.StartSubscribersAsync(server.Address, names.Select(name => new Dictionary<string, string?>
        {
            ["PATTERN"] = "queue",
            ["QUEUE"] = queue,
            ["CONSUMER_NAME"] = name,
            ["HEARTBEAT_TTL"] = "2s",
            ["BATCH_SIZE"] = "10",
            ["HANDLER_DELAY"] = "10ms",
        })));

        var victim = consumers[0];
        var survivors = consumers[1..];
        await using var publisher = Services.Publisher(server.Address, new Dictionary<string, string?>
        {
            ["PATTERN"] = "queue",
            ["QUEUE"] = queue,
            ["MESSAGE_COUNT"] = Count.ToString(),
            ["PUBLISH_RATE"] = "500",
        });
        await publisher.StartAsync();

        // Kill while the victim is inside a batch: right after it prints a line, the next item of its batch is
        // in the handler, so its processing list holds items in flight.
        await Wait.UntilAsync(() => ServiceOutput.CountHandled(victim) >= 50, "the victim has handled 50 items", TimeSpan.FromSeconds(30));
        await victim.KillAfterNextLineAsync();
        var victimProcessing = KeyNames.Processing(queue, names[0]);
        var inFlight = await server.ListIdsAsync(victimProcessing);
        var victimHandled = ServiceOutput.HandledIds(victim, "queue");
        output.WriteLine($"Killed {names[0]} at {clock.Elapsed.TotalSeconds:0.0}s after it printed {victimHandled.Count} items; {inFlight.Count} in its processing list: {string.Join(", ", inFlight)}");
        Assert.NotEmpty(inFlight);

        // A survivor sees the heartbeat expire (2s) and moves the dead consumer's items back to the queue.
        await Wait.UntilAsync(
            () => survivors.Any(s => s.Output.Any(l => l.Contains("back to the queue", StringComparison.Ordinal) && l.Contains(names[0], StringComparison.Ordinal))),
            $"a survivor logs that it moved {names[0]}'s in-flight items back to the queue",
            TimeSpan.FromSeconds(15));
        output.WriteLine(survivors.SelectMany(s => s.Output).First(l => l.Contains("back to the queue", StringComparison.Ordinal)));
        Assert.False(await server.Database.KeyExistsAsync(victimProcessing), $"{victimProcessing} still exists after the reclaim");

        var expected = Services.SentIds(publisher, Count).ToHashSet();
        await Wait.UntilAsync(
            () => expected.IsSubsetOf(consumers.SelectMany(c => ServiceOutput.HandledIds(c, "queue"))),
            $"the {Count} ids are handled by the union of the three consumers",
            TimeSpan.FromSeconds(60));

        var survivorHandled = survivors.SelectMany(s => ServiceOutput.HandledIds(s, "queue")).ToHashSet();
        var notRedone = inFlight.Where(id => !survivorHandled.Contains(id)).ToList();
        Assert.True(notRedone.Count == 0, $"in-flight items of the killed consumer never handled by a survivor: {string.Join(", ", notRedone)}");

        foreach (var survivor in survivors)
        {
            survivor.Terminate();
        }

        foreach (var survivor in survivors)
        {
            Assert.Equal(0, await survivor.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        }

        var ledger = new Ledger(expected)
            .Handled(consumers.SelectMany(c => ServiceOutput.HandledIds(c, "queue")))
            .StillOnServer("queue", await server.ListIdsAsync(queue));
        foreach (var (consumer, ids) in await server.ProcessingListsAsync(queue))
        {
            ledger.StillOnServer($"processing list of {consumer}", ids);
        }

        output.WriteLine($"{ledger.Describe()} in {clock.Elapsed.TotalSeconds:0.0}s");
        ledger.AssertNothingLost(duplicatesAllowed: true);
        Assert.Empty(await server.ProcessingListsAsync(queue));
    }
}
