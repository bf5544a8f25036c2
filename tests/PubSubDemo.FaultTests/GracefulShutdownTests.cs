using System.Diagnostics;
using PubSubDemo.FaultTests.Support;
using PubSubDemo.Publisher.Sending;
using PubSubDemo.Messaging.Producing;
using Xunit.Abstractions;

namespace PubSubDemo.FaultTests;

[Collection(FaultCollection.Name)]
public sealed class GracefulShutdownTests(ITestOutputHelper output)
{
    private const int Count = 4000;

    [Fact]
    public async Task Sigterm_to_every_queue_subscriber_under_load_loses_nothing_and_every_exit_code_is_0()
    {
        var clock = Stopwatch.StartNew();
        await using var server = await FaultServer.StartAsync();
        output.WriteLine($"Server: {server.Kind}");
        var queue = TestNames.Unique("queue");
        var names = Enumerable.Range(0, 3).Select(i => Services.Name($"sub{i}")).ToList();
        await using var processes = new ProcessSet(output, tailLines: 10);
        var consumers = processes.AddAll(names, await Services.StartSubscribersAsync(server.Address, names.Select(name => new Dictionary<string, string?>
        {
            ["PATTERN"] = "queue",
            ["QUEUE"] = queue,
            ["CONSUMER_NAME"] = name,
            ["BATCH_SIZE"] = "50",
            ["HANDLER_DELAY"] = "5ms",
        })));

        await using var publisher = Services.Publisher(server.Address, new Dictionary<string, string?>
        {
            ["PATTERN"] = "queue",
            ["QUEUE"] = queue,
            ["MESSAGE_COUNT"] = Count.ToString(),
            ["PUBLISH_RATE"] = "1000",
        });
        await publisher.StartAsync();

        // Under load: every consumer busy with a batch, the publisher still sending.
        await Wait.UntilAsync(() => consumers.All(c => ServiceOutput.CountHandled(c) >= 20), "every consumer has handled 20 items", TimeSpan.FromSeconds(30));
        var sentAtStop = publisher.Get<PublisherStats>().Sent;
        foreach (var consumer in consumers)
        {
            consumer.Terminate();
        }

        var exitCodes = new List<int>();
        foreach (var consumer in consumers)
        {
            exitCodes.Add(await consumer.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        }

        output.WriteLine($"SIGTERM at {clock.Elapsed.TotalSeconds:0.0}s with {sentAtStop} of {Count} sent; exit codes {string.Join(", ", exitCodes)}");
        foreach (var line in consumers.SelectMany(c => c.Output).Where(l => l.Contains("Stopped consuming", StringComparison.Ordinal)))
        {
            output.WriteLine(line);
        }

        Assert.True(sentAtStop < Count, "the publisher had finished before the subscribers were stopped: not under load");
        Assert.All(consumers, c => Assert.True(c.ExitCode == 0, $"exit code {c.ExitCode}. Output:\n{ServiceOutput.Tail(c.Output)}"));
        Assert.All(consumers, c => Assert.True(c.Printed("Stopped consuming as "), $"no shutdown line. Output:\n{ServiceOutput.Tail(c.Output)}"));

        await publisher.WaitForShutdownAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(Count, publisher.Get<PublisherStats>().Sent);

        var ledger = new Ledger(Services.SentIds(publisher, Count))
            .Handled(consumers.SelectMany(c => ServiceOutput.HandledIds(c, "queue")))
            .StillOnServer("queue", await server.ListIdsAsync(queue));
        var processing = await server.ProcessingListsAsync(queue);
        output.WriteLine($"{ledger.Describe()} in {clock.Elapsed.TotalSeconds:0.0}s");

        // A graceful stop finishes the item in hand and returns the rest: nothing is handled twice, nothing stays in flight.
        Assert.True(processing.Count == 0, $"processing lists left after a graceful stop: {string.Join(", ", processing.Select(p => $"{p.Key} ({p.Value.Count})"))}");
        ledger.AssertNothingLost(duplicatesAllowed: false);
        Assert.True(ledger.HandledDistinct > 0 && ledger.OnServer > 0, "the stop should have come in the middle of the work");
        Assert.Equal(Count, ledger.HandledDistinct + ledger.OnServer);
    }
}
