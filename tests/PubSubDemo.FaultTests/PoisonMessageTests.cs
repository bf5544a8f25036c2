using System.Diagnostics;
using PubSubDemo.FaultTests.Support;
using PubSubDemo.Publisher.Sending;
using PubSubDemo.Shared.Contract;
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

    [Fact]
    public async Task Queue_poison_message_is_dead_lettered_after_3_attempts_and_malformed_ones_at_once_while_others_flow()
    {
        var clock = Stopwatch.StartNew();
        await using var server = await FaultServer.StartAsync();
        output.WriteLine($"Server: {server.Kind}");
        var queue = TestNames.Unique("queue");
        await using var processes = new ProcessSet(output);
        var subscriber = processes.Add("subscriber", await Services.StartSubscriberAsync(server.Address, new Dictionary<string, string?>
        {
            ["PATTERN"] = "queue",
            ["QUEUE"] = queue,
            ["FAIL_ON"] = "POISON",
            ["MAX_ATTEMPTS"] = "3",
            ["BATCH_SIZE"] = "20",
        }));
        await using var publisher = Services.Publisher(server.Address, new Dictionary<string, string?>
        {
            ["PATTERN"] = "queue",
            ["QUEUE"] = queue,
            ["MESSAGE_COUNT"] = Count.ToString(),
            ["PUBLISH_RATE"] = "300",
        });
        await publisher.StartAsync();

        // Another client's pushes, in the middle of the publisher's flow.
        await Wait.UntilAsync(() => publisher.Get<PublisherStats>().Sent >= Count / 3, "a third of the messages are sent");
        var poisonId = Services.Name("poison");
        await server.Database.ListRightPushAsync(queue, RawMessages.Json(poisonId, "a POISON pill"));
        foreach (var (payload, _) in Malformed)
        {
            await server.Database.ListRightPushAsync(queue, payload);
        }

        await publisher.WaitForShutdownAsync(TimeSpan.FromSeconds(30));
        var expected = Services.SentIds(publisher, Count).ToList();
        await Wait.UntilAsync(
            async () => (await server.DeadLettersAsync(queue)).Count >= 1 + Malformed.Length && expected.ToHashSet().IsSubsetOf(ServiceOutput.HandledIds(subscriber, "queue")),
            "the publisher's messages are handled and the four bad ones dead-lettered");

        var dead = await server.DeadLettersAsync(queue);
        foreach (var letter in dead)
        {
            output.WriteLine($"dead: attempts {letter.Attempts}, reason '{letter.Reason}', consumer {letter.Consumer}, payload {letter.Payload}");
        }

        Assert.Equal(1 + Malformed.Length, dead.Count);
        var poison = Assert.Single(dead, d => (d.Payload ?? "").Contains(poisonId, StringComparison.Ordinal));
        Assert.Equal(3, poison.Attempts);
        Assert.Contains("3 attempts", poison.Reason, StringComparison.Ordinal);
        Assert.Contains("POISON", poison.Reason, StringComparison.Ordinal);
        Assert.Equal(3, subscriber.Output.Count(l => l.Contains("Handler failed", StringComparison.Ordinal) && l.Contains(poisonId, StringComparison.Ordinal)));
        Assert.True(subscriber.Printed($"Queue message {poisonId} failed 3 times"), "no log line for the dead-lettered poison message");
        Assert.False(await server.Database.KeyExistsAsync(KeyNames.Attempts(queue, poisonId)), "the attempt counter outlived the dead letter");
        foreach (var (payload, reason) in Malformed)
        {
            var letter = Assert.Single(dead, d => d.Payload == payload);
            Assert.Equal(1, letter.Attempts);
            Assert.Contains(reason, letter.Reason, StringComparison.Ordinal);
        }

        subscriber.Terminate();
        Assert.Equal(0, await subscriber.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        var ledger = new Ledger(expected.Append(poisonId))
            .Handled(ServiceOutput.HandledIds(subscriber, "queue"))
            .DeadLetteredIds(dead.Select(d => FaultServer.IdOf(d.OriginalPayload())))
            .StillOnServer("queue", await server.ListIdsAsync(queue));
        output.WriteLine($"{ledger.Describe()} in {clock.Elapsed.TotalSeconds:0.0}s");
        ledger.AssertNothingLost(duplicatesAllowed: false);
        Assert.Equal(0, await server.Database.ListLengthAsync(queue));
        Assert.Empty(await server.ProcessingListsAsync(queue));
    }

    [Fact]
    public async Task Stream_poison_entry_is_dead_lettered_by_delivery_count_and_malformed_ones_at_once_while_others_flow()
    {
        var clock = Stopwatch.StartNew();
        await using var server = await FaultServer.StartAsync();
        output.WriteLine($"Server: {server.Kind}");
        var stream = TestNames.Unique("stream");
        var group = Services.Name("group");
        await using var processes = new ProcessSet(output);
        var subscriber = processes.Add("subscriber", await Services.StartSubscriberAsync(server.Address, new Dictionary<string, string?>
        {
            ["PATTERN"] = "stream",
            ["STREAM"] = stream,
            ["GROUP"] = group,
            ["FAIL_ON"] = "POISON",
            ["MAX_ATTEMPTS"] = "3",
            ["CLAIM_IDLE"] = "500ms",
            ["BATCH_SIZE"] = "20",
        }));
        await using var publisher = Services.Publisher(server.Address, new Dictionary<string, string?>
        {
            ["PATTERN"] = "stream",
            ["STREAM"] = stream,
            ["MESSAGE_COUNT"] = Count.ToString(),
            ["PUBLISH_RATE"] = "300",
        });
        await publisher.StartAsync();

        await Wait.UntilAsync(() => publisher.Get<PublisherStats>().Sent >= Count / 3, "a third of the messages are sent");
        var poisonId = Services.Name("poison");
        await server.Database.StreamAddAsync(stream, KeyNames.StreamField, RawMessages.Json(poisonId, "a POISON pill"));
        foreach (var (payload, _) in Malformed)
        {
            await server.Database.StreamAddAsync(stream, KeyNames.StreamField, payload);
        }

        // An entry another client wrote without our field at all.
        await server.Database.StreamAddAsync(stream, "body", "no data field");

        await publisher.WaitForShutdownAsync(TimeSpan.FromSeconds(30));
        var expected = Services.SentIds(publisher, Count).ToList();
        await Wait.UntilAsync(
            async () => (await server.DeadLettersAsync(stream)).Count >= 2 + Malformed.Length && expected.ToHashSet().IsSubsetOf(ServiceOutput.HandledIds(subscriber, "stream")),
            "the publisher's messages are handled and the five bad entries dead-lettered");

        var dead = await server.DeadLettersAsync(stream);
        foreach (var letter in dead)
        {
            output.WriteLine($"dead: attempts {letter.Attempts}, reason '{letter.Reason}', consumer {letter.Consumer}, payload {letter.Payload}");
        }

        Assert.Equal(2 + Malformed.Length, dead.Count);
        var poison = Assert.Single(dead, d => (d.Payload ?? "").Contains(poisonId, StringComparison.Ordinal));
        Assert.Equal(3, poison.Attempts);
        Assert.Contains("3 deliveries", poison.Reason, StringComparison.Ordinal);
        Assert.Equal(3, subscriber.Output.Count(l => l.Contains("Handler failed", StringComparison.Ordinal) && l.Contains(poisonId, StringComparison.Ordinal)));
        foreach (var (payload, reason) in Malformed)
        {
            var letter = Assert.Single(dead, d => d.Payload == payload);
            Assert.Equal(1, letter.Attempts);
            Assert.Contains(reason, letter.Reason, StringComparison.Ordinal);
        }

        var noField = Assert.Single(dead, d => d.OriginalPayload().Length == 0);
        Assert.Contains("no 'data' field", noField.Reason, StringComparison.Ordinal);

        var state = await server.StreamStateAsync(stream, group);
        Assert.Equal(0, state.PendingCount);
        Assert.Empty(state.UndeliveredIds);

        subscriber.Terminate();
        Assert.Equal(0, await subscriber.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        var ledger = new Ledger(expected.Append(poisonId))
            .Handled(ServiceOutput.HandledIds(subscriber, "stream"))
            .DeadLetteredIds(dead.Select(d => FaultServer.IdOf(d.OriginalPayload())));
        output.WriteLine($"{ledger.Describe()} in {clock.Elapsed.TotalSeconds:0.0}s");
        ledger.AssertNothingLost(duplicatesAllowed: false);
    }
}
