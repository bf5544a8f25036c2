using Microsoft.Extensions.Logging;
using PubSubDemo.Messaging.Connection;
using StackExchange.Redis;

namespace PubSubDemo.Messaging.Consumers;

/// <summary>
/// BLOCKING_TAKE: an idle consumer of one partition waits in BLMOVE on a connection of its own
/// (<see cref="BlockingConnection"/>) instead of on the doorbell, so an item reaches it in the server's reply, already in
/// its processing list, as atomically as a take: one hop where the doorbell and the take are two. The item is handled
/// at once and the next round takes a batch, so a burst is still taken in batches. A server or user that refuses
/// BLMOVE (Redis before 6.2, an ACL without it) sends the consumer back to the doorbell, with one line saying so.
/// </summary>
internal sealed partial class QueueConsumer
{
    private BlockingConnection? _blocking;

    protected override async Task<bool> OpenBlockingAsync(RedisConnection connection, IConnectionMultiplexer multiplexer, CancellationToken stoppingToken)
    {
        if (!Services.Settings.BlockingTake || _partitions.Length != 1 || Services.Rate.Limited)
        {
            return false;
        }

        _blocking = await BlockingConnection.OpenAsync(connection, multiplexer, IdleWait);
        return _blocking is not null;
    }

    protected override async Task<bool> WaitForWorkAsync(IDatabase database, TimeSpan wait, CancellationToken stoppingToken)
    {
        if (_blocking is null)
        {
            return await base.WaitForWorkAsync(database, wait, stoppingToken);
        }

        // A reclaim or a restored connection that asked for a round while this one ran: go at once.
        if (await base.WaitForWorkAsync(database, TimeSpan.Zero, stoppingToken))
        {
            return true;
        }

        var keys = _partitions[0];
        RedisValue? item;
        try
        {
            item = await _blocking.MoveAsync(keys.Queue, keys.Processing, wait, stoppingToken);
        }
        catch (RedisServerException ex) when (!RedisErrors.IsTransient(ex))
        {
            LogBlockingRefused(ex.Message);
            var refused = _blocking;
            _blocking = null;
            await refused.DisposeAsync();
            await SubscribeDoorbellsAsync(stoppingToken);
            MarkDue(0);
            return true;
        }

        if (item is not { } taken)
        {
            return false;
        }

        await HandleAsync(database, 0, [taken], stoppingToken);

        // More may have come behind it: the next round takes them as a batch (a short one leaves the queue to BLMOVE again).
        MarkDue(0);
        return true;
    }

    /// <summary>Ends our block on the server before the items in hand go back, so it cannot move one in after them.</summary>
    private async Task StopBlockingAsync()
    {
        if (_blocking is { } blocking)
        {
            _blocking = null;
            await blocking.DisposeAsync();
        }
    }

    [LoggerMessage(3211, LogLevel.Warning, "Waiting in BLMOVE was refused ({Reason}); waiting on the doorbell instead (BLOCKING_TAKE=false says so up front)")]
    private partial void LogBlockingRefused(string reason);
}
