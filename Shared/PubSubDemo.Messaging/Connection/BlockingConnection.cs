using StackExchange.Redis;

namespace PubSubDemo.Messaging.Connection;

/// <summary>
/// A connection of its own for one blocking command at a time (BLMOVE), beside the process's multiplexer, which must
/// never carry one: a command blocked on the server holds every reply queued behind it on the same socket. The same
/// server, user and TLS as <see cref="RedisConnection"/>, no subscription connection, and a client-side time-out
/// above the longest block, so a block never ends as a client time-out whose reply (an item already moved) is lost.
/// </summary>
/// <remarks>
/// Stopping a block: <c>CLIENT UNBLOCK</c> from the main connection ends it on the server at once (as if it timed
/// out, or with the item it had already moved), so a consumer that stops never leaves a block behind that could move
/// an item into a processing list nobody looks at any more. A server or user that refuses it is waited out instead:
/// at most one block's time.
/// </remarks>
internal sealed class BlockingConnection : IAsyncDisposable
{
    private readonly ConnectionMultiplexer _multiplexer;
    private readonly IServer _server;
    private volatile bool _idStale = true;
    private long _clientId;
    private Task<RedisResult>? _pending;

    private BlockingConnection(ConnectionMultiplexer multiplexer, IConnectionMultiplexer main)
    {
        _multiplexer = multiplexer;
        _server = main.GetServers()[0];
        _multiplexer.ConnectionRestored += (_, _) => _idStale = true;
    }

    /// <summary>
    /// Connects a blocking connection when one can serve: a server of one node (standalone, or DragonFly's emulated
    /// cluster) reached through options of ours; null on a cluster, where a block and its unblock would have to meet
    /// on the key's node, and when the application gave its own multiplexer.
    /// </summary>
    public static async Task<BlockingConnection?> OpenAsync(RedisConnection connection, IConnectionMultiplexer main, TimeSpan longestBlock)
    {
        if (connection.Server is not { Mode: not ServerMode.Cluster } || connection.ClientOptions() is not { } options)
        {
            return null;
        }

        options.ClientName += ":blocking";
        options.CommandMap = CommandMap.Create(new HashSet<string> { "CONFIG", "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE" }, available: false);
        options.AsyncTimeout = Math.Max(options.AsyncTimeout, (int)(longestBlock + TimeSpan.FromSeconds(5)).TotalMilliseconds);
        return new BlockingConnection(await ConnectionMultiplexer.ConnectAsync(options), main);
    }

    /// <summary>
    /// BLMOVE: waits up to <paramref name="wait"/> for an item at the head of <paramref name="source"/> and moves it to the
    /// tail of <paramref name="destination"/> on the server; the item, or null when none came. Cancelling ends the wait
    /// here, not the block: <see cref="StopAsync"/> ends that.
    /// </summary>
    public async Task<RedisValue?> MoveAsync(RedisKey source, RedisKey destination, TimeSpan wait, CancellationToken cancellationToken)
    {
        var database = _multiplexer.GetDatabase();
        if (_idStale)
        {
            _idStale = false;
            _clientId = (long)await database.ExecuteAsync("CLIENT", "ID");
        }

        var seconds = Math.Round(Math.Max(wait.TotalSeconds, 0.01), 3);
        _pending = database.ExecuteAsync("BLMOVE", source, destination, "LEFT", "RIGHT", seconds);
        var reply = await _pending.WaitAsync(cancellationToken);
        _pending = null;
        return reply.IsNull ? (RedisValue?)null : (RedisValue)reply;
    }

    /// <summary>
    /// Ends a block still running on the server and waits for its reply, so that whatever it moved is in the
    /// destination before the caller hands that back.
    /// </summary>
    public async Task StopAsync()
    {
        if (_pending is not { IsCompleted: false } pending)
        {
            return;
        }

        try
        {
            await _server.ExecuteAsync("CLIENT", "UNBLOCK", _clientId);
        }
        catch (RedisServerException)
        {
            // Refused (a user without CLIENT UNBLOCK, a server without it): the block ends at its own time-out.
        }

        try
        {
            await pending;
        }
        catch (Exception ex) when (RedisErrors.IsTransient(ex) || ex is RedisServerException)
        {
            // The connection went: the server ended the block with it.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _multiplexer.CloseAsync(allowCommandsToComplete: false);
        await _multiplexer.DisposeAsync();
    }
}
