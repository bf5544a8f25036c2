using PubSubDemo.Messaging;
using System.Diagnostics;
using PubSubDemo.FaultTests.Support;
using PubSubDemo.Messaging.Processing;
using Xunit.Abstractions;

namespace PubSubDemo.FaultTests;

[Collection(FaultCollection.Name)]
public sealed class StreamReplayTests(ITestOutputHelper output)
{
    private const int History = 500;
    private const int Later = 50;

    [Fact]
    public async Task A_new_group_started_at_0_replays_the_whole_history_added_before_it_existed()
    {
        var clock = Stopwatch.StartNew();
        await using var server = await FaultServer.StartAsync();
        output.WriteLine($"Server: {server.Kind}");
        var stream = TestNames.Unique("stream");
        var history = await PublishAsync(server, stream, History);

        Assert.Equal(History, await server.Database.StreamLengthAsync(stream));

        // Two groups that did not exist while the history was written: one replays it, one starts at the end.
        var replayGroup = Services.Name("replay");
        var tailGroup = Services.Name("tail");
        var replay = new RecordingHandler();
        var tail = new RecordingHandler();
        await using var replaying = await ServiceHost.Subscriber(server.Address, new Dictionary<string, string?>
        {
            ["PATTERN"] = "stream",
            ["STREAM"] = stream,
            ["GROUP"] = replayGroup,
            ["STREAM_START"] = "0",
        }, replay).StartAndWaitConnectedAsync();
        await using var tailing = await ServiceHost.Subscriber(server.Address, new Dictionary<string, string?>
        {
            ["PATTERN"] = "stream",
            ["STREAM"] = stream,
            ["GROUP"] = tailGroup,
        }, tail).StartAndWaitConnectedAsync();
        await Wait.UntilAsync(() => tailing.Log.Contains($"Consuming stream '{stream}'"), "the tailing group exists");
        var later = await PublishAsync(server, stream, Later);
        await Wait.UntilAsync(() => replay.Count(MessageSource.Stream) >= History + Later, "the replaying group handles the history and the new entries");
        await Wait.UntilAsync(() => tail.Count(MessageSource.Stream) >= Later, "the tailing group handles the new entries");

        var replayed = replay.Ids(MessageSource.Stream).ToList();
        output.WriteLine($"Replaying group: {replayed.Count} handled; tailing group: {tail.Count(MessageSource.Stream)} handled; in {clock.Elapsed.TotalSeconds:0.0}s");
        Assert.Equal(history.Concat(later), replayed);
        Assert.Equal(later, tail.Ids(MessageSource.Stream));

        new Ledger(history.Concat(later)).Handled(replayed).AssertNothingLost(duplicatesAllowed: false);
        var state = await server.StreamStateAsync(stream, replayGroup);
        Assert.Equal(0, state.PendingCount);
        Assert.Empty(state.UndeliveredIds);
    }

    /// <summary>Runs a publisher until it has added <paramref name="count"/> entries; returns their ids.</summary>
    private static async Task<List<string>> PublishAsync(FaultServer server, string stream, int count)
    {
        await using var publisher = Services.Publisher(server.Address, new Dictionary<string, string?>
        {
            ["PATTERN"] = "stream",
            ["STREAM"] = stream,
            ["MESSAGE_COUNT"] = count.ToString(),
            ["PUBLISH_RATE"] = "0",
        });
        await publisher.StartAsync();
        await publisher.WaitForShutdownAsync(TimeSpan.FromSeconds(30));
        return Services.SentIds(publisher, count).ToList();
    }
}
