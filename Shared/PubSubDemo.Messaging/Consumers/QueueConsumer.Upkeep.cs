using Microsoft.Extensions.Logging;
using PubSubDemo.Messaging.Connection;
using PubSubDemo.Messaging.Contract;
using StackExchange.Redis;

namespace PubSubDemo.Messaging.Consumers;

/// <summary>
/// The queue consumer's upkeep beside its rounds: a heartbeat in every partition (HEARTBEAT_TTL / 3), and the reclaim
/// of consumers whose heartbeat expired, whose in-flight items go back to the queue.
/// </summary>
internal sealed partial class QueueConsumer
{
    /// <summary>Our heartbeat and registration in every partition: the reclaim script needs them in the partition's slot.</summary>
    private async Task BeatAsync(IDatabase database)
    {
        var now = Services.Time.GetUtcNow().ToString("O");
        var beats = new List<Task>(_partitions.Length * 2);
        foreach (var partition in _partitions)
        {
            beats.Add(database.StringSetAsync(partition.Heartbeat, now, Services.Settings.HeartbeatTtl));
            beats.Add(database.SetAddAsync(partition.Registry, Services.Consumer));
        }

        await Task.WhenAll(beats);
    }

    /// <summary>Refreshes our heartbeat and returns the in-flight items of consumers whose heartbeat expired, partition by partition.</summary>
    protected override async Task UpkeepAsync(IDatabase database, CancellationToken cancellationToken)
    {
        var period = Services.Settings.HeartbeatTtl / 3;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(period, Services.Time, cancellationToken);
                await BeatAsync(database);
                for (var partition = 0; partition < _partitions.Length; partition++)
                {
                    foreach (var member in await database.SetMembersAsync(_partitions[partition].Registry))
                    {
                        if (member.ToString() is var other && other != Services.Consumer)
                        {
                            await ReclaimAsync(database, partition, other);
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (RedisErrors.IsTransient(ex))
            {
                // The main loop logs the outage; the heartbeat simply tries again next period.
            }
        }
    }

    private async Task ReclaimAsync(IDatabase database, int partition, string other)
    {
        var keys = _partitions[partition];
        var moved = (long)await database.ScriptEvaluateAsync(
            QueueScripts.Return,
            [KeyNames.Processing(keys.Name, other), keys.Queue, KeyNames.Heartbeat(keys.Name, other), keys.Registry, keys.Due],
            [other, "1"]);
        if (moved > 0)
        {
            LogReclaimed(moved, other, keys.Name);

            // Retries among them went back to the due set, due at once: recovery makes the next round look there too.
            RequestRecovery();
            Wake(partition);
        }
        else if (moved == 0)
        {
            LogForgotten(other, keys.Name);
        }
    }

    [LoggerMessage(3203, LogLevel.Warning, "Moved {Count} in-flight items of consumer {Consumer} back to the queue '{Queue}': its heartbeat expired")]
    private partial void LogReclaimed(long count, string consumer, string queue);

    [LoggerMessage(3209, LogLevel.Information, "Consumer {Consumer} is gone from '{Queue}' (heartbeat expired) with nothing in flight")]
    private partial void LogForgotten(string consumer, string queue);
}
