using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Messaging.Processing;
using PubSubDemo.Messaging.Retries;
using StackExchange.Redis;

namespace PubSubDemo.Messaging.Consumers;

/// <summary>
/// Settles a handled batch of items of one queue partition, in that partition's slot: removes them from the processing list; malformed ones, and failures past
/// MAX_ATTEMPTS, go to the partition's dead-letter list, other failures to the partition's due set for a retry after
/// their backoff (RETRY_BACKOFF), and messages not due yet to the due set at their due time. Attempts are counted per
/// message id in a key that lives a day.
/// </summary>
internal sealed class QueueSettlement(ConsumerServices services)
{

    /// <summary>Settles <paramref name="results"/>; returns the ids that failed too often, with their attempts, for the log.</summary>
    public async Task<IReadOnlyList<(string Id, long Attempts)>> SettleAsync(
        IDatabase database, string queue, RedisKey processing, string consumer, List<(RedisValue Item, ProcessResult Result)> results, Action<long> scheduled)
    {
        if (results.All(r => r.Result.Disposition is Disposition.Handled or Disposition.Filtered))
        {
            // The fast path: the handled (and filtered) items are exactly the head of our processing list.
            await database.ListLeftPopAsync(processing, results.Count);
            return [];
        }

        var attempts = new Dictionary<int, long>();
        for (var i = 0; i < results.Count; i++)
        {
            if (results[i].Result is { Disposition: Disposition.Failed, MessageId: { } id })
            {
                var key = KeyNames.Attempts(queue, id);
                attempts[i] = await database.StringIncrementAsync(key);
                await database.KeyExpireAsync(key, TimeSpan.FromDays(1));
            }
        }

        var dead = KeyNames.DeadLetters(queue);
        var transaction = database.CreateTransaction();
        var deadLettered = 0;
        var retried = 0;
        var delayed = 0;
        var due = KeyNames.Due(queue);
        var now = services.Time.GetUtcNow();
        var exhausted = new List<(string, long)>();
        for (var i = 0; i < results.Count; i++)
        {
            var (item, result) = results[i];
            _ = transaction.ListRemoveAsync(processing, item, 1);
            switch (result.Disposition)
            {
                case Disposition.Malformed:
                    _ = transaction.ListRightPushAsync(dead, DeadLetters.Envelope(consumer, services.Time, item, result.Reason!, 1));
                    deadLettered++;
                    break;
                case Disposition.Failed when attempts.GetValueOrDefault(i) >= services.Settings.MaxAttempts:
                    _ = transaction.ListRightPushAsync(dead, DeadLetters.Envelope(consumer, services.Time, item, $"{result.Reason} ({attempts[i]} attempts)", (int)attempts[i]));
                    _ = transaction.KeyDeleteAsync(KeyNames.Attempts(queue, result.MessageId!));
                    deadLettered++;
                    exhausted.Add((result.MessageId!, attempts[i]));
                    break;
                case Disposition.Failed:
                    // To the due set, after its backoff: the rest of the queue is not held up by one bad item.
                    var retryAt = DueSchedule.Score(now + RetryBackoff.After(attempts.GetValueOrDefault(i), services.Settings.RetryBackoff, services.Settings.RetryBackoffMax, Random.Shared));
                    _ = transaction.SortedSetAddAsync(due, QueueDueMember.For(attempts.GetValueOrDefault(i), item), retryAt);
                    scheduled(retryAt);
                    retried++;
                    break;
                case Disposition.Deferred:
                    var dueAt = DueSchedule.Score(result.DueAt!.Value);
                    _ = transaction.SortedSetAddAsync(due, QueueDueMember.For(0, item), dueAt);
                    scheduled(dueAt);
                    delayed++;
                    break;
            }
        }

        await transaction.ExecuteAsync();
        services.Processor.Outcomes.Queue.Report(MessageOutcome.DeadLettered, deadLettered);
        services.Processor.Outcomes.Queue.Report(MessageOutcome.Retried, retried);
        services.Processor.Outcomes.Queue.Report(MessageOutcome.Deferred, delayed);
        return exhausted;
    }
}
