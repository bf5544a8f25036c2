using PubSubDemo.Messaging;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Messaging.Processing;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace PubSubDemo.IntegrationTests;

/// <summary>
/// The <c>redrive</c> verb of the built subscriber on a real server: dead letters go back to their queue or stream
/// (every partition) and are handled; a dry run moves nothing; unreadable ones stay; <c>--limit</c> stops early.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class RedriveTests(RedisServerFixture server, ITestOutputHelper output)
{
    [Theory]
    [InlineData("queue")]
    [InlineData("stream")]
    public async Task Dead_letters_of_every_partition_are_redriven_and_then_handled(string pattern)
    {
        output.WriteLine($"Server: {server.Description}");
        var name = TestNames.Unique(pattern);
        var settings = new Dictionary<string, string?>
        {
            ["PATTERN"] = pattern,
            [pattern == "queue" ? "QUEUE" : "STREAM"] = name,
            ["PARTITIONS"] = "2",
            ["IDLE_POLL"] = "50ms",
        };
        var partitions = Partitions.Names(name, 2);
        var poison = Enumerable.Range(1, 4).Select(i => TestNames.Unique($"poison-{i}")).ToList();

        // The demo handler with FAIL_ON dead-letters them (the stream after its second delivery, claimed at once).
        await using (var failing = ServiceHost.Subscriber(server.Address, settings.With(("FAIL_ON", "POISON"), ("MAX_ATTEMPTS", "1"), ("CLAIM_IDLE", "100ms"))))
        {
            await failing.StartAndWaitConsumingAsync();
            for (var i = 0; i < poison.Count; i++)
            {
                await AddAsync(pattern, partitions[i % 2], MessageReader.Write(new Message(poison[i], "a POISON pill", DateTimeOffset.UtcNow)));
            }

            await Wait.UntilAsync(async () => await DeadCountAsync(partitions) == poison.Count, $"the {poison.Count} poison messages are dead-lettered");
            await failing.StopAsync();
        }

        // The handler is fixed; the operator redrives.
        var handler = new RecordingHandler();
        await using var fixedSubscriber = await ServiceHost.Subscriber(server.Address, settings, handler).StartAndWaitConsumingAsync();
        var (exitCode, printed, errors) = await ServiceVerb.RunAsync("Subscriber", ["redrive", $"--{pattern}"], settings.With(("REDIS_ADDR", server.Address)));
        output.WriteLine(printed + errors);
        Assert.Equal(0, exitCode);
        Assert.Contains($"Redrive {pattern} '{name}': {poison.Count} redriven, 0 skipped (unreadable, left dead), 0 remain dead", printed, StringComparison.Ordinal);
        Assert.DoesNotContain(pattern == "queue" ? "Redrive stream" : "Redrive queue", printed, StringComparison.Ordinal);

        var source = pattern == "queue" ? MessageSource.Queue : MessageSource.Stream;
        await Wait.UntilAsync(() => handler.Count(source) == poison.Count, "the redriven messages are handled");
        Assert.Equal(poison.Order(StringComparer.Ordinal), handler.Ids(source).Order(StringComparer.Ordinal));
        Assert.All(handler.Handled, m => Assert.Equal("a POISON pill", m.Message.Content));
        Assert.Equal(0, await DeadCountAsync(partitions));
        if (pattern == "queue")
        {
            // Attempts live only in front of a retried item in the due set (QueueDueMember): none remain when the due sets are empty.
            foreach (var partition in partitions)
            {
                Assert.Equal(0, await server.Database.SortedSetLengthAsync(KeyNames.Due(partition)));
            }
        }
    }

    [Fact]
    public async Task A_dry_run_moves_nothing_the_limit_stops_early_and_unreadable_dead_letters_stay()
    {
        var queue = TestNames.Unique("redrive");
        var dead = KeyNames.DeadLetters(queue);
        var good = Enumerable.Range(1, 3).Select(i => MessageReader.Write(new Message(TestNames.Unique($"dead-{i}"), "payload", DateTimeOffset.UtcNow))).ToList();
        await server.Database.ListRightPushAsync(dead, [
            Envelope(good[0]),
            Envelope("this is not JSON"u8.ToArray()),
            Envelope(good[1]),
            "not an envelope at all",
            Envelope(good[2]),
        ]);
        var settings = new Dictionary<string, string?> { ["PATTERN"] = "queue", ["QUEUE"] = queue, ["REDIS_ADDR"] = server.Address };

        var dry = await RedriveAsync(settings, "--dry-run");
        Assert.Contains($"Redrive queue '{queue}': 3 would be redriven (dry run), 2 skipped (unreadable, left dead), 5 remain dead", dry, StringComparison.Ordinal);
        Assert.Equal(5, await server.Database.ListLengthAsync(dead));
        Assert.Equal(0, await server.Database.ListLengthAsync(queue));

        var limited = await RedriveAsync(settings, "--queue", "--limit", "2");
        Assert.Contains($"Redrive queue '{queue}': 2 redriven, 1 skipped (unreadable, left dead), 3 remain dead", limited, StringComparison.Ordinal);
        Assert.Equal(good[..2].Select(g => (RedisValue)g), await server.Database.ListRangeAsync(queue));

        var rest = await RedriveAsync(settings);
        Assert.Contains($"Redrive queue '{queue}': 1 redriven, 2 skipped (unreadable, left dead), 2 remain dead", rest, StringComparison.Ordinal);
        Assert.Contains("Redrive stream", rest, StringComparison.Ordinal);
        Assert.Equal(good.Select(g => (RedisValue)g), await server.Database.ListRangeAsync(queue));
        var left = await server.Database.ListRangeAsync(dead);
        Assert.Equal(2, left.Length);
        Assert.Contains(left, v => v == "not an envelope at all");
    }

    [Theory]
    [InlineData("--limit", "0")]
    [InlineData("--limit", "many")]
    [InlineData("--limit")]
    [InlineData("--queues")]
    public async Task Bad_arguments_print_one_line_and_exit_2(params string[] arguments)
    {
        var (exitCode, printed, errors) = await ServiceVerb.RunAsync("Subscriber", ["redrive", .. arguments], new Dictionary<string, string?> { ["REDIS_ADDR"] = server.Address });
        output.WriteLine(printed + errors);
        Assert.Equal(2, exitCode);
        var line = Assert.Single(errors.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith($"error: redrive", line, StringComparison.Ordinal);
        Assert.Contains(arguments[0] == "--limit" ? "--limit" : RedriveUsage, line, StringComparison.Ordinal);
    }

    private const string RedriveUsage = "redrive [--queue|--stream] [--limit N] [--dry-run]";

    private async Task<string> RedriveAsync(IDictionary<string, string?> settings, params string[] arguments)
    {
        var (exitCode, printed, errors) = await ServiceVerb.RunAsync("Subscriber", ["redrive", .. arguments], settings);
        output.WriteLine($"redrive {string.Join(' ', arguments)}:\n{printed}{errors}");
        Assert.Equal(0, exitCode);
        return printed;
    }

    private static RedisValue Envelope(byte[] payload) =>
        MessageReader.Write(DeadLetter.For(payload, "test", "someone", DateTimeOffset.UtcNow, 5));

    private async Task<long> DeadCountAsync(IEnumerable<string> partitions)
    {
        long count = 0;
        foreach (var partition in partitions)
        {
            count += await server.Database.ListLengthAsync(KeyNames.DeadLetters(partition));
        }

        return count;
    }

    private Task AddAsync(string pattern, string key, byte[] payload) => SourceWrites.AddAsync(server.Database, pattern, key, payload);
}
