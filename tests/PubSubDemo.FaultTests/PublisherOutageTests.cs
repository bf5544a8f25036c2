using System.Diagnostics;
using System.Text.RegularExpressions;
using PubSubDemo.FaultTests.Support;
using PubSubDemo.Publisher.Sending;
using PubSubDemo.Messaging.Producing;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using Xunit.Abstractions;

namespace PubSubDemo.FaultTests;

/// <summary>The publisher alone, with the server killed under it mid-run and restarted from its append-only file 2 s later.</summary>
[Collection(FaultCollection.Name)]
public sealed partial class PublisherOutageTests(ITestOutputHelper output)
{
    private const int Count = 1000;

    [Fact]
    public async Task The_publisher_keeps_its_messages_through_a_server_crash_and_sends_every_seq_with_the_same_ids()
    {
        var run = await PublishThroughCrashAsync();
        var seqs = run.Messages.Select(m => m.Seq!.Value).ToList();
        var missing = Enumerable.Range(1, Count).Select(i => (long)i).Except(seqs).ToList();

        Assert.True(run.CreatedDuringOutage > 0, "nothing was created while the server was down");
        Assert.True(missing.Count == 0, $"seq missing from the queue: {string.Join(", ", missing.Take(20))}");
        Assert.All(run.Messages, m => Assert.Equal($"{run.Sender}-{m.Seq}", m.Id));
        Assert.Equal(Count, run.Sent);
        Assert.Equal(0, run.Unsent);
        Assert.True(run.Log.Any(l => l.Contains("retrying", StringComparison.Ordinal)), $"the publisher logged no retry. Log:\n{string.Join('\n', run.Log.TakeLast(20))}");

        // A push whose reply died with the server may be sent again: at least once, never a missing id.
        new Ledger(Enumerable.Range(1, Count).Select(i => $"{run.Sender}-{i}"))
            .StillOnServer("queue", run.Messages.Select(m => m.Id))
            .AssertNothingLost(duplicatesAllowed: true);
    }

    /// <summary>
    /// The README promises publish order per publisher (pub/sub) and FIFO (queue). A batch that failed when the
    /// server died must therefore reach the server before the batches created after it; a resend of a push whose
    /// reply was lost may repeat a message later on, so only each seq's first appearance is checked.
    /// </summary>
    [Fact]
    public async Task After_a_server_crash_the_queue_still_holds_the_publishers_messages_in_publish_order()
    {
        // 25 messages/s: however long the hang takes on a busy machine, fewer than eight pushes are caught in it.
        var run = await PublishThroughCrashAsync(count: 150, rate: 25);
        var firstSeen = run.Messages.Select(m => m.Seq!.Value).Distinct().ToList();
        var overtaken = firstSeen.Zip(firstSeen.Skip(1), (a, b) => (Before: a, After: b)).Where(p => p.After < p.Before).ToList();
        foreach (var (before, after) in overtaken.Take(5))
        {
            var position = firstSeen.IndexOf(after);
            output.WriteLine($"seq {after} comes after seq {before} (queue position {position}); around it: {string.Join(", ", firstSeen.Skip(Math.Max(0, position - 5)).Take(10))}");
        }

        Assert.True(overtaken.Count == 0, $"{overtaken.Count} places where a later message overtook an earlier one in the queue, first: seq {overtaken.FirstOrDefault().After} after {overtaken.FirstOrDefault().Before}");
    }

    /// <summary>
    /// The loss guard's loud end: stopped while the server is gone for good, the publisher retries until the drain
    /// deadline, then gives each batch one last try and gives it up with its ids. Every message created is then either
    /// sent or listed as given up; none is dropped silently.
    /// </summary>
    [Fact]
    public async Task A_publisher_stopped_while_the_server_is_gone_gives_up_at_the_drain_deadline_and_lists_every_message_it_did_not_send()
    {
        var clock = Stopwatch.StartNew();
        await using var server = await FaultServer.StartAsync();
        output.WriteLine($"Server: {server.Kind}");
        await using var publisher = Services.Publisher(server.Address, new Dictionary<string, string?>
        {
            ["PATTERN"] = "queue",
            ["QUEUE"] = TestNames.Unique("queue"),
            ["PUBLISH_RATE"] = "200",
        });
        var stats = publisher.Get<PublisherStats>();
        await publisher.StartAsync();
        await Wait.UntilAsync(() => stats.Sent >= 50, "50 messages are sent before the server goes");
        await server.CrashAsync();
        await publisher.WaitForLogAsync("retrying");

        var stopping = clock.Elapsed;
        await publisher.StopAsync();
        output.WriteLine($"Stopped in {(clock.Elapsed - stopping).TotalSeconds:0.0}s: created {stats.Created}, sent {stats.Sent}, retries {stats.Retries}, unsent {stats.Unsent}");

        var gaveUp = publisher.Log.Lines.Select(l => GaveUpLine().Match(l)).Where(m => m.Success).ToList();
        gaveUp.Take(3).ToList().ForEach(m => output.WriteLine(m.Value));
        Assert.True(stats.Unsent > 0, "nothing was given up with the server gone");
        Assert.Equal(stats.Created, stats.Sent + stats.Unsent);
        Assert.Equal(stats.Unsent, gaveUp.Sum(m => long.Parse(m.Groups["count"].Value, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.True(publisher.Log.Contains($"{stats.Unsent} not sent"), "the summary line does not count what was given up");
    }

    /// <summary>
    /// Publishes <paramref name="count"/> messages to the queue and kills the server under the publisher after a fifth
    /// of them. The server first hangs (kill -STOP) for a couple of messages, so that pushes are surely in flight and
    /// unanswered when it dies; at a low rate these are fewer than the sender's eight batches in flight, so the sender
    /// goes on sending while they wait for their retry.
    /// </summary>
    private async Task<OutageRun> PublishThroughCrashAsync(int count = Count, int rate = 200)
    {
        var clock = Stopwatch.StartNew();
        await using var server = await FaultServer.StartAsync(persistent: true);
        output.WriteLine($"Server: {server.Kind}, append-only, fsync always");
        var queue = TestNames.Unique("queue");
        await using var publisher = Services.Publisher(server.Address, new Dictionary<string, string?>
        {
            ["PATTERN"] = "queue",
            ["QUEUE"] = queue,
            ["MESSAGE_COUNT"] = count.ToString(),
            ["PUBLISH_RATE"] = rate.ToString(),
        });
        var stats = publisher.Get<PublisherStats>();
        await publisher.StartAsync();

        await Wait.UntilAsync(() => stats.Sent >= count / 5, "a fifth of the messages is sent before the crash");
        await server.FreezeAsync();
        var createdAtFreeze = stats.Created;
        var hang = await server.CrashFrozenWhenAsync(() => stats.Created >= createdAtFreeze + 3, TimeSpan.FromSeconds(5));
        output.WriteLine($"The server hung for {hang.TotalMilliseconds:0} ms before it died; {stats.Created - createdAtFreeze} messages were created meanwhile");
        var sentAtCrash = stats.Sent;
        await Task.Delay(TimeSpan.FromSeconds(2));
        var createdDuringOutage = stats.Created - sentAtCrash;
        await server.StartAgainAsync();
        output.WriteLine($"Crashed the server at {sentAtCrash} sent; {createdDuringOutage} created during the 2s outage; restarted at {clock.Elapsed.TotalSeconds:0.0}s");

        await publisher.WaitForShutdownAsync(TimeSpan.FromSeconds(60));
        foreach (var line in publisher.Log.Lines.Where(l => l.Contains("retrying", StringComparison.Ordinal) || l.Contains("Gave up", StringComparison.Ordinal)).Take(5))
        {
            output.WriteLine(line);
        }

        var messages = (await server.Database.ListRangeAsync(queue)).Select(v => MessageReader.Read((byte[])v!).Message!).ToList();
        var seqs = messages.Select(m => m.Seq!.Value).ToList();
        output.WriteLine($"Queue holds {messages.Count} items: seq {seqs.Min()}..{seqs.Max()}, {seqs.Count - seqs.Distinct().Count()} repeats; sent {stats.Sent}, retries {stats.Retries}, unsent {stats.Unsent}; {clock.Elapsed.TotalSeconds:0.0}s");
        return new OutageRun(Services.Sender(publisher), messages, publisher.Log.Lines.ToList(), createdDuringOutage, stats.Sent, stats.Unsent);
    }

    private sealed record OutageRun(string Sender, List<Message> Messages, List<string> Log, long CreatedDuringOutage, long Sent, long Unsent);

    [GeneratedRegex(@"Gave up on (?<count>\d+) messages \((?<first>\S+) \.\. (?<last>\S+)\) at shutdown")]
    private static partial Regex GaveUpLine();
}
