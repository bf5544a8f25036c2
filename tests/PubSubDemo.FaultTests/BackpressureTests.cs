using System.Diagnostics;
using PubSubDemo.FaultTests.Support;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using Xunit.Abstractions;

namespace PubSubDemo.FaultTests;

[Collection(FaultCollection.Name)]
public sealed class BackpressureTests(ITestOutputHelper output)
{
    private const int Count = 5000;
    private const int BatchSize = 20;

    /// <summary>Each item carries 20 KB, so 5,000 of them (100 MB) held in the subscriber would show in its memory.</summary>
    private const int ItemPadding = 20_000;

    private const double MaxResidentMegabytes = 150;

    [Fact]
    public async Task A_slow_handler_leaves_the_backlog_on_the_server_with_bounded_memory_and_at_most_a_batch_in_flight()
    {
        var clock = Stopwatch.StartNew();
        await using var server = await FaultServer.StartAsync();
        output.WriteLine($"Server: {server.Kind}");
        var queue = TestNames.Unique("queue");
        var ids = Enumerable.Range(1, Count).Select(i => $"slow-{i}").ToList();
        foreach (var chunk in ids.Chunk(500))
        {
            await server.Database.ListRightPushAsync(queue, chunk.Select(id => (StackExchange.Redis.RedisValue)RawMessages.Json(id, $"Message {id}", padding: ItemPadding)).ToArray());
        }

        var name = Services.Name("slow");
        var processingKey = KeyNames.Processing(queue, name);
        await using var processes = new ProcessSet(output);
        var subscriber = processes.Add("subscriber", await Services.StartSubscriberAsync(server.Address, new Dictionary<string, string?>
        {
            ["PATTERN"] = "queue",
            ["QUEUE"] = queue,
            ["CONSUMER_NAME"] = name,
            ["BATCH_SIZE"] = BatchSize.ToString(),
            ["HANDLER_DELAY"] = "50ms",
        }));

        // Watch for a while: the processing list, the process's memory, and what the summary says about the backlog.
        long maxInFlight = 0;
        double maxResident = 0;
        var watch = Stopwatch.StartNew();
        var samples = 0;
        while (watch.Elapsed < TimeSpan.FromSeconds(6))
        {
            maxInFlight = Math.Max(maxInFlight, await server.Database.ListLengthAsync(processingKey));
            if (samples++ % 10 == 0)
            {
                maxResident = Math.Max(maxResident, ProcessMemory.ResidentMegabytes(subscriber.Id) ?? 0);
            }

            await Task.Delay(20);
        }

        var handledWhileWatching = ServiceOutput.CountHandled(subscriber);
        var backlogs = ServiceOutput.NumbersAfter(subscriber.Output, "backlog");
        var queueLength = await server.Database.ListLengthAsync(queue);
        output.WriteLine($"In 6s: {handledWhileWatching} handled, processing list at most {maxInFlight}, RSS at most {maxResident:0} MB, queue length {queueLength}, summaries' backlog: {string.Join(", ", backlogs)}");

        Assert.InRange(maxInFlight, 1, BatchSize);
        Assert.InRange(maxResident, 1, MaxResidentMegabytes);
        // 50 ms per item: the handler, not the queue, sets the pace.
        Assert.InRange(handledWhileWatching, 1, (6000 / 50) + BatchSize);
        Assert.True(backlogs.Any(b => b >= Count - 500), $"no summary showed the backlog (>= {Count - 500}). Output:\n{ServiceOutput.Tail(subscriber.Output)}");
        Assert.True(queueLength >= Count - handledWhileWatching - BatchSize - 20, $"queue length {queueLength} does not show the backlog");

        subscriber.Terminate();
        Assert.Equal(0, await subscriber.WaitForExitAsync(TimeSpan.FromSeconds(20)));

        var ledger = new Ledger(ids)
            .Handled(ServiceOutput.HandledIds(subscriber, "queue"))
            .StillOnServer("queue", await server.ListIdsAsync(queue));
        output.WriteLine($"{ledger.Describe()} in {clock.Elapsed.TotalSeconds:0.0}s");
        Assert.False(await server.Database.KeyExistsAsync(processingKey), "the processing list outlived a graceful stop");
        ledger.AssertNothingLost(duplicatesAllowed: false);
        Assert.Equal(Count, ledger.HandledDistinct + ledger.OnServer);
    }
}
