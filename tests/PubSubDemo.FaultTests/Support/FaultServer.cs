using System.Runtime.InteropServices;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Messaging.Retries;
using StackExchange.Redis;

namespace PubSubDemo.FaultTests.Support;

/// <summary>
/// This test's own redis-server process, which the test may kill and restart, and a client that survives
/// the restarts for arranging state and for reading what is left on the server at the end.
/// </summary>
internal sealed partial class FaultServer : IAsyncDisposable
{
    private FaultServer(RedisServerProcess process, ConnectionMultiplexer client)
    {
        Process = process;
        Client = client;
    }

    public RedisServerProcess Process { get; }

    public ConnectionMultiplexer Client { get; }

    public IDatabase Database => Client.GetDatabase();

    public string Address => Process.Address;

    public string Kind => $"{RedisServerProcess.ProgramName} ({_version}) on port {Process.Port}";

    public static async Task<FaultServer> StartAsync(bool persistent = false)
    {
        var process = await RedisServerProcess.StartAsync(persistent);
        var client = await ConnectionMultiplexer.ConnectAsync($"{process.Address},allowAdmin=true,abortConnect=false,connectRetry=10");
        return new FaultServer(process, client) { _version = await TestServer.VersionAsync(client.GetServer(process.Address)) };
    }

    /// <summary>kill -9 of the server: in-flight commands and unread replies vanish.</summary>
    public Task CrashAsync() => Process.KillAsync();

    /// <summary>
    /// kill -STOP: the server hangs without closing a connection, so commands sent from now on are neither executed
    /// nor answered; <see cref="CrashFrozenAsync"/> then fails every one of them for certain.
    /// </summary>
    public async Task FreezeAsync()
    {
        var info = await Client.GetServer(Address).InfoAsync("server");
        _frozenPid = int.Parse(info.SelectMany(g => g).First(p => p.Key == "process_id").Value);
        Assert.Equal(0, Signal(_frozenPid, 19));
    }

    /// <summary>
    /// kill -9 of the frozen server as soon as <paramref name="condition"/> holds, checked every millisecond on a thread
    /// of its own (so a busy thread pool cannot stretch the hang), then reaps it. Returns how long the server hung.
    /// </summary>
    public async Task<TimeSpan> CrashFrozenWhenAsync(Func<bool> condition, TimeSpan limit)
    {
        var hung = await Task.Factory.StartNew(
            () =>
            {
                var clock = System.Diagnostics.Stopwatch.StartNew();
                while (!condition() && clock.Elapsed < limit)
                {
                    Thread.Sleep(1);
                }

                Assert.Equal(0, Signal(_frozenPid, 9));
                return clock.Elapsed;
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        await Process.KillAsync();
        return hung;
    }

    private int _frozenPid;

    [LibraryImport("libc", EntryPoint = "kill")]
    internal static partial int Signal(int pid, int signal);

    /// <summary>Starts the server again on the same port (from its append-only file when persistent) and waits until this client is back.</summary>
    public async Task StartAgainAsync()
    {
        await Process.StartAsync();
        await Wait.UntilAsync(async () =>
        {
            try
            {
                await Database.PingAsync();
                return true;
            }
            catch (RedisException)
            {
                return false;
            }
        }, "the test client reconnects to the restarted server", TimeSpan.FromSeconds(20));
    }

    /// <summary>The ids of the messages in a list (queue or processing list, where a retried item carries its attempt count in front); unreadable items are returned as their raw text.</summary>
    public async Task<List<string>> ListIdsAsync(RedisKey key) =>
        (await Database.ListRangeAsync(key)).Select(item => IdOf(QueueDueMember.Entry(item).Payload)).ToList();

    /// <summary>Every processing list of <paramref name="queue"/> that exists, by consumer name, with the ids in it.</summary>
    public async Task<Dictionary<string, List<string>>> ProcessingListsAsync(string queue)
    {
        var prefix = KeyNames.Processing(queue, "");
        var result = new Dictionary<string, List<string>>();
        await foreach (var key in Client.GetServer(Address).KeysAsync(pattern: prefix + "*"))
        {
            result[key.ToString()[prefix.Length..]] = await ListIdsAsync(key);
        }

        return result;
    }

    /// <summary>
    /// Every key in <paramref name="name"/>'s slot tag, with its type, size and (for lists and sorted sets) the ids in
    /// it, one line each: what a test prints when a wait runs out, so a failure shows where the messages are.
    /// </summary>
    public async Task<string> DescribeKeysAsync(string name)
    {
        var lines = new List<string>();
        await foreach (var key in Client.GetServer(Address).KeysAsync(pattern: $"*{name}*"))
        {
            var type = await Database.KeyTypeAsync(key);
            var what = type switch
            {
                RedisType.List => $"[{string.Join(", ", await ListIdsAsync(key))}]",
                RedisType.SortedSet => $"[{string.Join(", ", (await Database.SortedSetRangeByRankWithScoresAsync(key)).Select(e => $"{DueMemberId(e.Element)}@{e.Score}"))}]",
                RedisType.Set => $"[{string.Join(", ", await Database.SetMembersAsync(key))}]",
                RedisType.String => $"'{await Database.StringGetAsync(key)}' ttl {await Database.KeyTimeToLiveAsync(key)}",
                RedisType.Stream => $"{await Database.StreamLengthAsync(key)} entries",
                _ => "",
            };
            lines.Add($"{key} ({type}): {what}");
        }

        return string.Join('\n', lines.Order(StringComparer.Ordinal));

        // A queue's due member wraps the payload (QueueDueMember); a stream's is an entry id, shown as it is.
        static string DueMemberId(RedisValue member) => QueueDueMember.Read((byte[])member!) is { } due ? IdOf(due.Payload) : member.ToString();
    }

    public async Task<List<DeadLetter>> DeadLettersAsync(string queueOrStream) =>
        (await Database.ListRangeAsync(KeyNames.DeadLetters(queueOrStream)))
            .Select(v => MessageReader.ReadDeadLetter((byte[])v!) ?? throw new InvalidOperationException($"unreadable dead letter: {v}"))
            .ToList();

    /// <summary>The message ids of a consumer group's unfinished work: entries pending (delivered, not acknowledged) and entries not yet delivered.</summary>
    public async Task<StreamState> StreamStateAsync(string stream, string group)
    {
        var entries = await Database.StreamRangeAsync(stream);
        var groups = await Database.StreamGroupInfoAsync(stream);
        var info = groups.Single(g => g.Name == group);
        var pending = await Database.StreamPendingMessagesAsync(stream, group, 1_000_000, RedisValue.Null);
        var pendingEntryIds = pending.Select(p => p.MessageId.ToString()).ToHashSet();
        var lastDelivered = StreamId.Parse(info.LastDeliveredId ?? "0-0");
        var pendingIds = new List<string>();
        var undeliveredIds = new List<string>();
        foreach (var entry in entries)
        {
            var id = IdOf(entry[KeyNames.StreamField]);
            if (pendingEntryIds.Contains(entry.Id.ToString()))
            {
                pendingIds.Add(id);
            }
            else if (StreamId.Parse(entry.Id.ToString()).CompareTo(lastDelivered) > 0)
            {
                undeliveredIds.Add(id);
            }
        }

        return new StreamState(entries.Length, entries.Select(e => IdOf(e[KeyNames.StreamField])).ToList(), pendingIds, undeliveredIds, info.PendingMessageCount);
    }

    /// <summary>The message id inside a payload, or the payload itself when it is not a readable message.</summary>
    public static string IdOf(RedisValue payload)
    {
        if (payload.IsNull)
        {
            return "<no payload>";
        }

        var read = MessageReader.Read((byte[])payload!);
        return read.Message?.Id ?? payload.ToString();
    }

    private string _version = "";

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Process.DisposeAsync();
    }
}

/// <summary>What a stream holds for one consumer group, as message ids.</summary>
internal sealed record StreamState(int Length, List<string> AllIds, List<string> PendingIds, List<string> UndeliveredIds, int PendingCount);

/// <summary>A stream entry id, ordered as the server orders them.</summary>
internal readonly record struct StreamId(long Milliseconds, long Sequence) : IComparable<StreamId>
{
    public static StreamId Parse(string text)
    {
        var parts = text.Split('-');
        return new StreamId(long.Parse(parts[0]), parts.Length > 1 ? long.Parse(parts[1]) : 0);
    }

    public int CompareTo(StreamId other) =>
        Milliseconds != other.Milliseconds ? Milliseconds.CompareTo(other.Milliseconds) : Sequence.CompareTo(other.Sequence);
}
