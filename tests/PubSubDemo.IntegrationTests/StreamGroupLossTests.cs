using System.Collections.Concurrent;
using System.Diagnostics;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Messaging.Processing;
using Xunit.Abstractions;

namespace PubSubDemo.IntegrationTests;

/// <summary>
/// A consumer group deleted under load (XGROUP DESTROY, as an operator might, or a server restarted without
/// persistence) while failed entries wait in the due set for their retry and entries keep arriving. Recreated at
/// STREAM_START ($), the group skipped what was added while it was missing and the due set's entries, which the claim
/// then dropped: measured on Redis 7.0.15, 100 entries never handled and 10 retries gone. Recreated where the lost one
/// left off, nothing is lost and the repeats are at-least-once's.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class StreamGroupLossTests(RedisServerFixture server, ITestOutputHelper output)
{
    private const int Count = 400;
    private static readonly HashSet<long> Failing = [.. Enumerable.Range(11, 10).Select(i => (long)i)];

    [Theory]
    [InlineData("1", "false")]
    [InlineData("3", "true")]
    public async Task A_group_destroyed_under_load_is_recreated_where_it_left_off_and_every_entry_and_waiting_retry_is_handled(string partitions, string dedupe)
    {
        output.WriteLine($"Server: {server.Description}; PARTITIONS={partitions}, DEDUPE={dedupe}");
        var name = TestNames.Unique("grouploss");
        var settings = new Dictionary<string, string?> { ["PATTERN"] = "stream", ["STREAM"] = name, ["PARTITIONS"] = partitions, ["DEDUPE"] = dedupe };
        var handler = new FailFirstAttempt(Failing);
        await using var hosts = new ServiceHostGroup(output);

        // STREAM_START stays $, the default: the old recreation went there.
        var subscriber = await hosts.Add("subscriber", ServiceHost.Subscriber(server.Address, settings.With(
            ("RETRY_BACKOFF", "6s"), ("RETRY_BACKOFF_MAX", "6s"), ("MAX_ATTEMPTS", "5"), ("BATCH_SIZE", "10")), handler)).StartAndWaitConsumingAsync();
        var messaging = subscriber.Get<MessagingSettings>();
        var group = messaging.Group;
        var dueSets = messaging.StreamPartitions.Select(p => (StackExchange.Redis.RedisKey)KeyNames.Due(p, group)).ToList();
        var publisher = hosts.Add("publisher", ServiceHost.Publisher(server.Address, settings.With(("MESSAGE_COUNT", $"{Count}"), ("PUBLISH_RATE", "100"))));
        await publisher.StartAsync();
        var expected = Published.Ids(publisher, Count);
        var failing = expected.Where((_, i) => Failing.Contains(i + 1)).ToHashSet();

        // The ten failures wait for their retry (3-6 s with equal jitter) while the publisher keeps adding.
        await Wait.UntilAsync(async () => await DueAsync(dueSets) == Failing.Count, "the 10 failed entries wait in the due sets", TimeSpan.FromSeconds(20));
        var clock = Stopwatch.StartNew();
        foreach (var partition in messaging.StreamPartitions)
        {
            Assert.Equal(1, (long)await server.Database.ExecuteAsync("XGROUP", "DESTROY", partition, group));
        }

        output.WriteLine($"XGROUP DESTROY on {messaging.StreamPartitions.Count} partitions with {handler.HandledCount} entries handled");

        try
        {
            await Wait.UntilAsync(() => expected.All(handler.WasHandled), $"every one of the {Count} entries is handled at least once", TimeSpan.FromSeconds(40));
        }
        finally
        {
            var missing = expected.Where(id => !handler.WasHandled(id)).ToList();
            output.WriteLine($"{missing.Count} never handled, {missing.Count(failing.Contains)} of them among the 10 that waited for a retry");
        }

        await subscriber.WaitForLogAsync($"Recreated consumer group '{group}' on '{name}' at");
        output.WriteLine(subscriber.Log.Lines.First(l => l.Contains("Recreated consumer group", StringComparison.Ordinal)));
        await Wait.UntilAsync(async () => await DueAsync(dueSets) == 0, "the due sets are empty again", TimeSpan.FromSeconds(20));

        var repeats = handler.Handled.Count - handler.Handled.Distinct().Count();
        output.WriteLine($"all {Count} handled in {clock.Elapsed.TotalSeconds:0.0} s after the destroy; {repeats} handled more than once (at-least-once)");
        foreach (var id in failing)
        {
            Assert.True(handler.FailedThenHandled(id), $"{id} failed, waited in the due set and was handled after the group was recreated");
        }

        Assert.Contains(subscriber.Log.Lines, l => l.Contains($"Consumer group '{group}' is missing on the server", StringComparison.Ordinal));
        foreach (var partition in messaging.StreamPartitions)
        {
            Assert.Equal(0, await server.Database.ListLengthAsync(KeyNames.DeadLetters(partition)));
        }

        // DEDUPE absorbs what is read again: entries committed before the loss come back as duplicates and skip the
        // handler; only a batch whose commit the loss interrupted (the handler ran, its markers did not land) repeats.
        if (dedupe == "true")
        {
            var duplicates = subscriber.SubscriberStats.Stream.Duplicate;
            output.WriteLine($"DEDUPE: {duplicates} entries read again were duplicates; {repeats} reached the handler twice");
            Assert.True(duplicates > 0, "nothing read again was recognised as a duplicate");
            Assert.InRange(repeats, 0, 10 * messaging.StreamPartitions.Count);
        }
    }

    private async Task<long> DueAsync(List<StackExchange.Redis.RedisKey> dueSets)
    {
        var total = 0L;
        foreach (var due in dueSets)
        {
            total += await server.Database.SortedSetLengthAsync(due);
        }

        return total;
    }

    /// <summary>Fails the first attempt of the messages with the given sequence numbers; remembers every handled id.</summary>
    private sealed class FailFirstAttempt(HashSet<long> failing) : IMessageHandler
    {
        private readonly ConcurrentDictionary<string, int> _failed = new();
        private readonly ConcurrentQueue<string> _handled = new();
        private readonly ConcurrentDictionary<string, bool> _seen = new();

        public ConcurrentQueue<string> Handled => _handled;

        public int HandledCount => _handled.Count;

        public bool WasHandled(string id) => _seen.ContainsKey(id);

        public bool FailedThenHandled(string id) => _failed.ContainsKey(id) && _seen.ContainsKey(id);

        public ValueTask HandleAsync(ReceivedMessage message, CancellationToken cancellationToken)
        {
            var id = message.Message.Id;
            if (failing.Contains(message.Message.Seq ?? 0) && _failed.TryAdd(id, 1))
            {
                throw new InvalidOperationException($"first attempt of {id} fails");
            }

            _handled.Enqueue(id);
            _seen[id] = true;
            return ValueTask.CompletedTask;
        }
    }
}
