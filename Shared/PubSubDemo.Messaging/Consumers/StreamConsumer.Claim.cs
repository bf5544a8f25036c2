using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace PubSubDemo.Messaging.Consumers;

/// <summary>
/// The stream consumer's take-over of abandoned entries: those pending longer than CLAIM_IDLE with a dead consumer (or
/// failed, and not waiting in the due set for their backoff) are claimed with their delivery counts and handled here.
/// </summary>
internal sealed partial class StreamConsumer
{
    /// <summary>Takes over entries pending longer than CLAIM_IDLE (their consumer died, or failed them) and handles them.</summary>
    private async Task ClaimAbandonedAsync(IDatabase database, int partition, CancellationToken stoppingToken)
    {
        var minIdle = (long)Services.Settings.ClaimIdle.TotalMilliseconds;
        RedisValue start = "0-0";
        do
        {
            // Ids only (no delivery counted), so that entries waiting in the due set, idle as long as their backoff,
            // are left to wait; the others are claimed with their payload, which counts the delivery.
            var ids = await database.StreamAutoClaimIdsOnlyAsync(_streams[partition], Services.Messaging.Group, Services.Consumer, minIdle, start, await Services.Rate.TakeAsync(Services.Settings.BatchSize, stoppingToken));
            start = ids.NextStartId;

            // Redis 7 drops entries that were deleted while pending from the group itself and names them here.
            foreach (var deleted in ids.DeletedIds)
            {
                Services.Processor.Lost(MessageSource.Stream, deleted.ToString());
            }

            var abandoned = await _retries.NotWaitingAsync(database, partition, ids.ClaimedIds);
            var claimed = abandoned.Length == 0 ? [] : await database.StreamClaimAsync(_streams[partition], Services.Messaging.Group, Services.Consumer, 0, abandoned);
            if (claimed.Length == 0)
            {
                // Nothing to handle in this page (all waiting for their due time, or none): the next page, if any.
                if (ids.ClaimedIds.Length == 0)
                {
                    break;
                }

                continue;
            }

            var pending = await database.StreamPendingMessagesAsync(_streams[partition], Services.Messaging.Group, ids.ClaimedIds.Length, Services.Consumer, claimed[0].Id, claimed[^1].Id);
            var deliveries = pending.ToDictionary(p => p.MessageId.ToString(), p => p.DeliveryCount);
            LogClaimed(claimed.Length, _streams[partition].ToString());
            await HandleAsync(database, partition, claimed, stoppingToken, deliveries);
        }
        while (start != "0-0" && !stoppingToken.IsCancellationRequested);
    }

    [LoggerMessage(3304, LogLevel.Information, "Claimed {Count} stream entries of '{Stream}' left pending by another or a failed delivery")]
    private partial void LogClaimed(int count, string stream);
}
