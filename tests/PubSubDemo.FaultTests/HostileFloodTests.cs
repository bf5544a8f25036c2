using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using PubSubDemo.FaultTests.Support;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace PubSubDemo.FaultTests;

/// <summary>
/// A flood of hostile payloads (random bytes, invalid UTF-8, 10,000 levels of nesting, huge numbers, duplicate keys,
/// impossible timestamps, one byte over the limit) mixed with good messages, on the channel, the queue and the stream
/// at once. The subscriber process stays up and healthy, counts every one, dead-letters every bad queue and stream
/// item with a reason, and handles every good message.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed partial class HostileFloodTests(ITestOutputHelper output)
{
    private const int HostilePerSource = 3_400;
    private const int GoodPerSource = 300;
    private const int MaxBytes = 32 * 1024;

    [Fact]
    public async Task Ten_thousand_hostile_payloads_beside_good_messages_are_all_accounted_for_and_the_subscriber_stays_healthy()
    {
        var clock = Stopwatch.StartNew();
        await using var server = await FaultServer.StartAsync();
        output.WriteLine($"Server: {server.Kind}");
        string channel = TestNames.Unique("flood"), queue = TestNames.Unique("flood"), stream = TestNames.Unique("flood");
        var metricsPort = RedisServerProcess.FreePort();
        await using var processes = new ProcessSet(output);
        var subscriber = processes.Add("subscriber", await Services.StartSubscriberAsync(server.Address, new Dictionary<string, string?>
        {
            ["PATTERN"] = "all", ["CHANNEL"] = channel, ["QUEUE"] = queue, ["STREAM"] = stream, ["STREAM_START"] = "0",
            ["MAX_MESSAGE_BYTES"] = MaxBytes.ToString(), ["METRICS_PORT"] = metricsPort.ToString(), ["SUMMARY_INTERVAL"] = "5s",
        }));
        await Wait.UntilAsync(() => subscriber.Printed($"Subscribed to channel '{channel}'") && subscriber.Printed($"Consuming queue '{queue}'") && subscriber.Printed($"Consuming stream '{stream}'"), "every consumer is ready");

        var sent = new Dictionary<string, (List<byte[]> Bad, List<string> Good)>();
        foreach (var (source, seed) in new[] { ("channel", 1), ("queue", 2), ("stream", 3) })
        {
            var bad = Hostile(seed).Take(HostilePerSource).ToList();
            Assert.All(bad, payload => Assert.False(MessageReader.Read(payload, MaxBytes).IsValid)); // the generator's promise
            sent[source] = (bad, Enumerable.Range(1, GoodPerSource).Select(i => $"{source}-good-{seed}-{i}").ToList());
        }

        var database = server.Database;
        await Task.WhenAll(
            SendAsync(sent["channel"], payload => database.PublishAsync(RedisChannel.Literal(channel), payload)),
            SendAsync(sent["queue"], payload => database.ListRightPushAsync(queue, payload)),
            SendAsync(sent["stream"], payload => database.StreamAddAsync(stream, KeyNames.StreamField, payload)));
        output.WriteLine($"{3 * (HostilePerSource + GoodPerSource)} payloads sent after {clock.Elapsed.TotalSeconds:0.0}s");

        var ledgers = sent.ToDictionary(s => s.Key, s => new Ledger(s.Value.Good));
        await Wait.UntilAsync(() => sent.All(s => ServiceOutput.HandledIds(subscriber, s.Key).Count >= GoodPerSource), "every good message handled", TimeSpan.FromSeconds(90));
        await Wait.UntilAsync(async () => (await database.ListLengthAsync(KeyNames.DeadLetters(queue))) >= HostilePerSource && (await database.ListLengthAsync(KeyNames.DeadLetters(stream))) >= HostilePerSource, "every bad item dead-lettered", TimeSpan.FromSeconds(60));
        using (var http = new HttpClient())
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync($"http://127.0.0.1:{metricsPort}/health/live")).StatusCode);
        }

        Assert.False(subscriber.HasExited, "the subscriber stayed up");
        subscriber.Terminate();
        Assert.Equal(0, await subscriber.WaitForExitAsync(TimeSpan.FromSeconds(30)));

        foreach (var (source, (bad, good)) in sent)
        {
            var ledger = ledgers[source].Handled(ServiceOutput.HandledIds(subscriber, source));
            output.WriteLine($"{source}: {ledger.Describe()}");
            ledger.AssertNothingLost(duplicatesAllowed: false);
            var summary = FinalSummary().Match(subscriber.Output.Last(l => l.Contains($"Final summary {source}:", StringComparison.Ordinal)));
            Assert.Equal((HostilePerSource + GoodPerSource, GoodPerSource, HostilePerSource),
                (long.Parse(summary.Groups["received"].Value), long.Parse(summary.Groups["handled"].Value), long.Parse(summary.Groups["malformed"].Value)));
            if (source != "channel")
            {
                var dead = (await database.ListRangeAsync(KeyNames.DeadLetters(source == "queue" ? queue : stream))).Select(d => MessageReader.ReadDeadLetter((byte[])d!)!).ToList();
                Assert.All(dead, letter => Assert.False(string.IsNullOrWhiteSpace(letter.Reason)));
                Assert.Equal(bad.Select(Convert.ToBase64String).Order(), dead.Select(d => Convert.ToBase64String(d.OriginalPayload())).Order());
            }
        }

        Assert.DoesNotContain(subscriber.Output, line => line.Contains("   at ", StringComparison.Ordinal) || line.Contains("fail:", StringComparison.Ordinal) || line.Contains("crit:", StringComparison.Ordinal));
        output.WriteLine($"Done in {clock.Elapsed.TotalSeconds:0.0}s");
    }

    /// <summary>Sends the bad payloads with the good messages spread among them, many commands in flight at once.</summary>
    private static async Task SendAsync((List<byte[]> Bad, List<string> Good) payloads, Func<byte[], Task> send)
    {
        var every = payloads.Bad.Count / payloads.Good.Count;
        var pending = new List<Task>();
        for (var i = 0; i < payloads.Bad.Count; i++)
        {
            pending.Add(send(payloads.Bad[i]));
            if (i % every == 0 && i / every < payloads.Good.Count)
            {
                pending.Add(send(Encoding.UTF8.GetBytes(RawMessages.Json(payloads.Good[i / every], "a good message among hostile ones"))));
            }

            if (pending.Count >= 500)
            {
                await Task.WhenAll(pending);
                pending.Clear();
            }
        }

        await Task.WhenAll(pending);
    }

    /// <summary>An endless, seeded mix of payloads that no reader may take for a message.</summary>
    private static IEnumerable<byte[]> Hostile(int seed)
    {
        var random = new Random(seed);
        var good = RawMessages.Json("hostile-template", "x");
        byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
        for (var i = 0; ; i++)
        {
            yield return (i % 10) switch
            {
                0 => [0x01, .. Bytes(random, random.Next(0, 300))],
                1 => [.. Utf8(good[..10]), 0xC0, 0xAF, .. Utf8(good[10..])],
                2 => Utf8(string.Concat(Enumerable.Repeat("[", 10_000)) + string.Concat(Enumerable.Repeat("]", 10_000))),
                3 => Utf8(good.Replace("\"content\":\"x\"", "\"content\":\"x\",\"seq\":1e400", StringComparison.Ordinal)),
                4 => Utf8("{\"id\":\"first\"," + good[1..]),
                5 => Utf8(good.Replace(good.Split('"')[11], "9999-12-31T23:59:59.9999999-14:00", StringComparison.Ordinal)),
                6 => Utf8(good.Replace("\"x\"", "\"" + new string('x', MaxBytes - good.Length + 2) + "\"", StringComparison.Ordinal)),
                7 => Utf8("{\"id\":\"no-timestamp\",\"content\":\"" + random.Next() + "\"}"),
                8 => [0xEF, 0xBB, 0xBF, .. Utf8("not json " + random.Next())],
                _ => [],
            };
        }
    }

    private static byte[] Bytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    [GeneratedRegex(@"received (?<received>\d+), handled (?<handled>\d+), malformed (?<malformed>\d+)")]
    private static partial Regex FinalSummary();
}
