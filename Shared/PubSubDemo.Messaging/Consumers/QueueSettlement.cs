using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Messaging.Processing;
using PubSubDemo.Messaging.Retries;
using StackExchange.Redis;

namespace PubSubDemo.Messaging.Consumers;

/// <summary>
/// Settles a handled batch of items of one queue partition, in that partition's slot: removes them from the processing list; malformed ones, and failures past
/// MAX_ATTEMPTS, go to the partition's dead-letter list, other failures to the partition's due set for a retry after
/// their backoff (RETRY_BACKOFF), and messages not due yet to the due set at their due time. An item's attempts travel
/// with it, in front of it in the due set (<see cref="QueueDueMember"/>): settling needs no round trip to count them,
/// and no counter is left behind when the item is handled, dead-lettered or redriven.
/// </summary>
internal sealed class QueueSettlement(ConsumerServices services)
{

    /// <summary>Settles <paramref name="results"/>; returns the ids that failed too often, with their attempts, for the log.</summary>
    public async Task<IReadOnlyList<(string Id, long Attempts)>> SettleAsync(
        IDatabase database, string queue, RedisKey processing, string consumer, List<(QueueEntry Item, ProcessResult Result)> results, Action<long> scheduled)
    {
        if (results.All(r => r.Result.Disposition is Disposition.Handled or Disposition.Filtered))
        {
            // The fast path: the handled (and filtered) items are exactly the head of our processing list.
            await database.ListLeftPopAsync(processing, results.Count);
            return [];
        }

        var dead = KeyNames.DeadLetters(queue);
        var transaction = database.CreateTransaction();
        var deadLettered = 0;
        var retried = 0;
        var delayed = 0;
        var due = KeyNames.Due(queue);
        var now = services.Time.GetUtcNow();
        var exhausted = new List<(string, long)>();
        foreach (var (item, result) in results)
        {
            _ = transaction.ListRemoveAsync(processing, item.Stored, 1);
            switch (result.Disposition)
            {
                case Disposition.Malformed:
                    _ = transaction.ListRightPushAsync(dead, DeadLetters.Envelope(consumer, services.Time, item.Payload, result.Reason!, 1));
                    deadLettered++;
                    break;
                case Disposition.Failed when item.Attempt >= services.Settings.MaxAttempts:
                    _ = transaction.ListRightPushAsync(dead, DeadLetters.Envelope(consumer, services.Time, item.Payload, $"{result.Reason} ({item.Attempt} attempts)", (int)item.Attempt));
                    deadLettered++;
                    exhausted.Add((result.MessageId!, item.Attempt));
                    break;
                case Disposition.Failed:
                    // To the due set, after its backoff, with this failure counted: the rest of the queue is not held up by one bad item.
                    var retryAt = DueSchedule.Score(now + RetryBackoff.After(item.Attempt, services.Settings.RetryBackoff, services.Settings.RetryBackoffMax, Random.Shared));
                    _ = transaction.SortedSetAddAsync(due, QueueDueMember.For(item.Attempt, item.Payload), retryAt);
                    scheduled(retryAt);
                    retried++;
                    break;
                case Disposition.Deferred:
                    var dueAt = DueSchedule.Score(result.DueAt!.Value);
                    _ = transaction.SortedSetAddAsync(due, QueueDueMember.For(item.Failures, item.Payload), dueAt);
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
