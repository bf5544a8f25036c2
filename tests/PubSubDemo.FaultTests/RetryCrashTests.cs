using System.Diagnostics;
using PubSubDemo.FaultTests.Support;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using Xunit.Abstractions;

namespace PubSubDemo.FaultTests;

[Collection(FaultCollection.Name)]
public sealed class RetryCrashTests(ITestOutputHelper output)
{
    private const int Count = 100;

    /// <summary>
    /// Open defect, not a passing test: in about one run in six the queue's surviving consumer stopped taking work after
    /// the crash or restart (it handled the queue, then neither reclaimed the dead consumer's processing list nor took the
    /// due item, for 45 s). Skipped so the suite stays a true signal until that stall is found; the stream variants run.
    /// </summary>
    private const string QueueStallSkip = "Open defect: the queue's survivor intermittently stops taking work after a crash or restart with an item in the due set";

    /// <summary>
    /// A consumer fails an item (FAIL_ON) and is killed with -9 while the item waits for its retry: the item waits on the
    /// server, in the due set, not in the dead process, so another consumer (without FAIL_ON) handles it once it is due,
    /// never before, and every id is accounted for. The victim runs with DEDUPE, whose marker is committed with each
    /// acknowledgement: a kill -9 can drop the last lines its logger had queued, so an id it handled and acknowledged
    /// just before the kill may never be printed; its marker still says it was handled (and only that says so).
    /// </summary>
    [Theory]
    [InlineData("queue")]
    [InlineData("stream")]
    public async Task A_consumer_killed_while_an_item_waits_for_its_retry_loses_nothing(string pattern)
    {
        var clock = Stopwatch.StartNew();
        await using var server = await FaultServer.StartAsync();
        output.WriteLine($"Server: {server.Kind}");
        var source = DurableSource.Create(pattern);
        await using var processes = new ProcessSet(output);
        var victim = processes.Add("victim", await Services.StartSubscriberAsync(server.Address, source.Settings(withGroup: true,
            ("FAIL_ON", "POISON"), ("DEDUPE", "true"), ("RETRY_BACKOFF", "8s"), ("CONSUMER_NAME", Services.Name("victim")), ("HEARTBEAT_TTL", "2s"), ("CLAIM_IDLE", "1s"))));
        await using var publisher = Services.Publisher(server.Address, source.Settings(withGroup: false, ("MESSAGE_COUNT", Count.ToString()), ("PUBLISH_RATE", "200")));
        await publisher.StartAsync();
        var poisonId = Services.Name("poison");
        await source.AddAsync(server.Database, RawMessages.Json(poisonId, "a POISON pill"));

        var due = KeyNames.Due(source.Key, source.Group);
        await Wait.UntilAsync(
            async () => victim.Output.Any(l => l.Contains("Handler failed", StringComparison.Ordinal) && l.Contains(poisonId, StringComparison.Ordinal))
                && await server.Database.SortedSetLengthAsync(due) == 1,
            "the victim fails the poison message and schedules its retry");
        var dueAt = DateTimeOffset.FromUnixTimeMilliseconds((long)(await server.Database.SortedSetRangeByRankWithScoresAsync(due))[0].Score);
        victim.KillHard();
        await victim.WaitForExitAsync(TimeSpan.FromSeconds(10));
        output.WriteLine($"Killed the victim at {DateTimeOffset.UtcNow:HH:mm:ss.fff}; the retry is due at {dueAt:HH:mm:ss.fff}");
        Assert.Equal(1, await server.Database.SortedSetLengthAsync(due));

        var survivor = processes.Add("survivor", await Services.StartSubscriberAsync(server.Address, source.Settings(withGroup: true,
            ("CONSUMER_NAME", Services.Name("survivor")), ("HEARTBEAT_TTL", "2s"), ("CLAIM_IDLE", "1s"))));
        output.WriteLine($"Survivor consuming at {DateTimeOffset.UtcNow:HH:mm:ss.fff}");

        // Not before it is due: watched until just before its due time (the survivor is up well before: the wait is 4-8 s).
        while (DateTimeOffset.UtcNow < dueAt.AddMilliseconds(-100))
        {
            Assert.DoesNotContain(poisonId, ServiceOutput.HandledIds(survivor, pattern));
            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }

        await publisher.WaitForShutdownAsync(TimeSpan.FromSeconds(30));
        var expected = Services.SentIds(publisher, Count).Append(poisonId).ToList();
        var unprinted = new HashSet<string>();
        async Task<HashSet<string>> HandledAsync()
        {
            var printed = ServiceOutput.HandledIds(victim, pattern).Concat(ServiceOutput.HandledIds(survivor, pattern)).ToHashSet();
            foreach (var id in expected.Where(id => !printed.Contains(id) && !unprinted.Contains(id)))
            {
                if (await server.Database.KeyExistsAsync(KeyNames.Handled(source.Key, source.IsStream ? source.Group! : "", id)))
                {
                    unprinted.Add(id);
                }
            }

            printed.UnionWith(unprinted);
            return printed;
        }

        try
        {
            await Wait.UntilAsync(
                async () => expected.ToHashSet().IsSubsetOf(await HandledAsync()),
                "every id is handled by the victim or the survivor, the poison message by the survivor",
                TimeSpan.FromSeconds(45));
        }
        catch (TimeoutException)
        {
            var handled = await HandledAsync();
            output.WriteLine($"Not handled: {string.Join(", ", expected.Where(id => !handled.Contains(id)))}");
            output.WriteLine($"On the server:\n{await server.DescribeKeysAsync(source.Key)}");
            throw;
        }

        output.WriteLine($"Handled by the victim with their lines lost at the kill (its DEDUPE markers say so): {unprinted.Count} {string.Join(", ", unprinted)}");
        Assert.DoesNotContain(poisonId, unprinted);
        Assert.Contains(poisonId, ServiceOutput.HandledIds(survivor, pattern));
        Assert.Equal(0, await server.Database.SortedSetLengthAsync(due));

        survivor.Terminate();
        Assert.Equal(0, await survivor.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        var ledger = new Ledger(expected)
            .Handled(ServiceOutput.HandledIds(victim, pattern).Concat(ServiceOutput.HandledIds(survivor, pattern)).Concat(unprinted))
            .DeadLetteredIds((await server.DeadLettersAsync(source.Key)).Select(d => FaultServer.IdOf(d.OriginalPayload())));
        if (!source.IsStream)
        {
            ledger.StillOnServer("queue", await server.ListIdsAsync(source.Key));
        }

        output.WriteLine($"{ledger.Describe()} in {clock.Elapsed.TotalSeconds:0.0}s");
        ledger.AssertNothingLost(duplicatesAllowed: true);
    }

    /// <summary>
    /// What waits in the due set (delayed messages, and one that failed and waits for its retry) survives a kill -9 of
    /// the server and its restart from the append-only file: each is handled once it is due, never before. The publisher
    /// has finished before the crash, so nothing handled after the restart can be a re-send: it came back from the file.
    /// </summary>
    [Theory]
    [InlineData("queue")]
    [InlineData("stream")]
    public async Task What_waits_in_the_due_set_survives_a_server_restart_with_persistence(string pattern)
    {
        const int count = 50;
        await using var server = await FaultServer.StartAsync(persistent: true);
        output.WriteLine($"Server: {server.Kind}, append-only");
        var source = DurableSource.Create(pattern);
        var handler = new RecordingHandler { FailOn = "POISON", FailTimes = 1 };
        await using var subscriber = await ServiceHost.Subscriber(server.Address, source.Settings(withGroup: true, ("RETRY_BACKOFF", "8s"), ("STREAM_START", "0")), handler).StartAndWaitConsumingAsync();
        var poisonId = Services.Name("poison");
        await source.AddAsync(server.Database, RawMessages.Json(poisonId, "a POISON pill, due now"));
        await using var publisher = Services.Publisher(server.Address, source.Settings(withGroup: true, ("MESSAGE_COUNT", $"{count}"), ("PUBLISH_RATE", "200"), ("DELAY", "5s")));
        await publisher.StartAsync();
        await publisher.WaitForShutdownAsync(TimeSpan.FromSeconds(30));

        // The retry waits 4-8 s, the delayed messages 5 s from their publish: all of them wait together for a while.
        var due = KeyNames.Due(source.Key, source.Group);
        await Wait.UntilAsync(
            async () => handler.Attempts.Any(a => a.Failed && a.Received.Message.Id == poisonId) && await server.Database.SortedSetLengthAsync(due) == count + 1,
            "the poison message failed and waits for its retry, and every delayed message waits for its due time");
        var waitedAt = DateTimeOffset.UtcNow;
        var handledBefore = handler.Ids(source.Source).ToHashSet();
        await server.CrashAsync();
        await server.StartAgainAsync();

        // Informative only: the subscriber may reconnect before the test's client and take what is already due.
        output.WriteLine($"{count + 1} waited in {due} at the crash, {await server.Database.SortedSetLengthAsync(due)} there once the test's client was back");
        var expected = Services.SentIds(publisher, count).Append(poisonId).ToHashSet();
        Assert.Empty(expected.Intersect(handledBefore));
        await Wait.UntilAsync(() => expected.IsSubsetOf(handler.Ids(source.Source)), $"all {count + 1} ids are handled after the restart", TimeSpan.FromSeconds(60));
        var early = handler.Attempts.Where(a => a.At < a.Received.Message.DueAt).Select(a => a.Received.Message.Id).ToList();
        Assert.True(early.Count == 0, $"handled before their due time: {string.Join(", ", early)}");
        var retry = handler.Attempts.Single(a => a.Received.Message.Id == poisonId && !a.Failed);
        Assert.True(retry.At >= waitedAt, "the poison message's retry came after the crash");
        Assert.Single(handler.Attempts, a => a.Failed);
        await Wait.UntilAsync(async () => await server.Database.SortedSetLengthAsync(due) == 0, $"{due} is empty");
    }
}
