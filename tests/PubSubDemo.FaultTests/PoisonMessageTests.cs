using System.Diagnostics;
using PubSubDemo.FaultTests.Support;
using PubSubDemo.Publisher.Sending;
using PubSubDemo.Messaging.Producing;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace PubSubDemo.FaultTests;

[Collection(FaultCollection.Name)]
public sealed class PoisonMessageTests(ITestOutputHelper output)
{
    private const int Count = 300;

    /// <summary>Payloads no reader can turn into a message, each with the reason the subscriber should give.</summary>
    private static readonly (string Payload, string Reason)[] Malformed =
    [
        ("this is not JSON", "not a JSON message"),
        ("""{"content":"no id here","timestamp":"2026-01-01T00:00:00Z"}""", "missing \"id\""),
        ("""{"id":"malformed-no-timestamp","content":"x"}""", "missing \"timestamp\""),
    ];

    /// <summary>
    /// A poison message is dead-lettered after MAX_ATTEMPTS (counted by the queue's attempt counter, or by the stream's
    /// delivery count) and malformed ones at once, while the publisher's messages flow past them.
    /// </summary>
    [Theory]
    [InlineData("queue")]
    [InlineData("stream")]
    public async Task Poison_message_is_dead_lettered_after_3_attempts_and_malformed_ones_at_once_while_others_flow(string pattern)
    {
        var clock = Stopwatch.StartNew();
        await using var server = await FaultServer.StartAsync();
        output.WriteLine($"Server: {server.Kind}");
        var source = DurableSource.Create(pattern);
        await using var processes = new ProcessSet(output);
        var subscriber = processes.Add("subscriber", await Services.StartSubscriberAsync(server.Address, source.IsStream
            ? source.Settings(withGroup: true, ("FAIL_ON", "POISON"), ("MAX_ATTEMPTS", "3"), ("CLAIM_IDLE", "500ms"), ("BATCH_SIZE", "20"))
            : source.Settings(withGroup: true, ("FAIL_ON", "POISON"), ("MAX_ATTEMPTS", "3"), ("BATCH_SIZE", "20"))));
        await using var publisher = Services.Publisher(server.Address, source.Settings(withGroup: false, ("MESSAGE_COUNT", Count.ToString()), ("PUBLISH_RATE", "300")));
        await publisher.StartAsync();

        // Another client's writes, in the middle of the publisher's flow.
        await Wait.UntilAsync(() => publisher.Get<PublisherStats>().Sent >= Count / 3, "a third of the messages are sent");
        var poisonId = Services.Name("poison");
        await source.AddAsync(server.Database, RawMessages.Json(poisonId, "a POISON pill"));
        foreach (var (payload, _) in Malformed)
        {
            await source.AddAsync(server.Database, payload);
        }

        if (source.IsStream)
        {
            // An entry another client wrote without our field at all.
            await server.Database.StreamAddAsync(source.Key, "body", "no data field");
        }

        var bad = (source.IsStream ? 2 : 1) + Malformed.Length;
        await publisher.WaitForShutdownAsync(TimeSpan.FromSeconds(30));
        var expected = Services.SentIds(publisher, Count).ToList();
        await Wait.UntilAsync(
            async () => (await server.DeadLettersAsync(source.Key)).Count >= bad && expected.ToHashSet().IsSubsetOf(ServiceOutput.HandledIds(subscriber, pattern)),
            $"the publisher's messages are handled and the {bad} bad {source.Items} dead-lettered");

        var dead = await server.DeadLettersAsync(source.Key);
        foreach (var letter in dead)
        {
            output.WriteLine($"dead: attempts {letter.Attempts}, reason '{letter.Reason}', consumer {letter.Consumer}, payload {letter.Payload}");
        }

        Assert.Equal(bad, dead.Count);
        var poison = Assert.Single(dead, d => (d.Payload ?? "").Contains(poisonId, StringComparison.Ordinal));
        Assert.Equal(3, poison.Attempts);
        Assert.Equal(3, subscriber.Output.Count(l => l.Contains("Handler failed", StringComparison.Ordinal) && l.Contains(poisonId, StringComparison.Ordinal)));
        foreach (var (payload, reason) in Malformed)
        {
            var letter = Assert.Single(dead, d => d.Payload == payload);
            Assert.Equal(1, letter.Attempts);
            Assert.Contains(reason, letter.Reason, StringComparison.Ordinal);
        }

        if (source.IsStream)
        {
            Assert.Contains("3 deliveries", poison.Reason, StringComparison.Ordinal);
            var noField = Assert.Single(dead, d => d.OriginalPayload().Length == 0);
            Assert.Contains("no 'data' field", noField.Reason, StringComparison.Ordinal);
            var state = await server.StreamStateAsync(source.Key, source.Group!);
            Assert.Equal(0, state.PendingCount);
            Assert.Empty(state.UndeliveredIds);
        }
        else
        {
            Assert.Contains("3 attempts", poison.Reason, StringComparison.Ordinal);
            Assert.Contains("POISON", poison.Reason, StringComparison.Ordinal);
            Assert.True(subscriber.Printed($"Queue message {poisonId} failed 3 times"), "no log line for the dead-lettered poison message");
            // A queue item's attempts live only in front of it in the due set (QueueDueMember): with the due set empty, no count outlived the dead letter.
            Assert.True(await server.Database.SortedSetLengthAsync(KeyNames.Due(source.Key)) == 0, "the attempt counter outlived the dead letter");
        }

        subscriber.Terminate();
        Assert.Equal(0, await subscriber.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        var ledger = new Ledger(expected.Append(poisonId))
            .Handled(ServiceOutput.HandledIds(subscriber, pattern))
            .DeadLetteredIds(dead.Select(d => FaultServer.IdOf(d.OriginalPayload())));
        if (!source.IsStream)
        {
            ledger.StillOnServer("queue", await server.ListIdsAsync(source.Key));
        }

        output.WriteLine($"{ledger.Describe()} in {clock.Elapsed.TotalSeconds:0.0}s");
        ledger.AssertNothingLost(duplicatesAllowed: false);
        if (!source.IsStream)
        {
            Assert.Equal(0, await server.Database.ListLengthAsync(source.Key));
            Assert.Empty(await server.ProcessingListsAsync(source.Key));
        }
    }
}
