using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Messaging.Contract;
using StackExchange.Redis;

namespace PubSubDemo.Messaging.Redrive;

/// <summary>What one redrive of a source did, over all its partitions.</summary>
internal sealed record RedriveOutcome(string Source, string Name, long Redriven, long Skipped, long Remaining);

/// <summary>
/// Moves the dead letters of a queue or stream, partition by partition, back to where they came from: each with its
/// original payload, one <see cref="RedriveScripts.Move"/> per item, so an interrupted redrive neither loses nor repeats
/// one. An entry that cannot be read, or whose payload is not a readable message, is refused: it stays dead, counted as
/// skipped. A dry run counts what would move and moves nothing.
/// </summary>
internal sealed class Redriver(IDatabase database, MessagingOptions messaging)
{
    private const int Page = 100;

    /// <summary>Redrives <paramref name="queue"/> (else the stream) up to <paramref name="limit"/> items.</summary>
    public async Task<RedriveOutcome> RunAsync(bool queue, long limit, bool dryRun)
    {
        long redriven = 0, skipped = 0, remaining = 0;
        foreach (var partition in queue ? messaging.QueuePartitions : messaging.StreamPartitions)
        {
            RedisKey dead = KeyNames.DeadLetters(partition);
            long index = 0;
            while (redriven < limit)
            {
                var page = await database.ListRangeAsync(dead, index, index + Page - 1);
                if (page.Length == 0)
                {
                    break;
                }

                foreach (var entry in page)
                {
                    if (redriven >= limit)
                    {
                        break;
                    }

                    if (Payload(entry) is not { } payload)
                    {
                        skipped++;
                        index++;
                    }
                    else if (dryRun)
                    {
                        redriven++;
                        index++;
                    }
                    else if (await MoveAsync(dead, partition, queue, entry, payload))
                    {
                        // The entry left the list: the next one now sits at this index.
                        redriven++;
                    }
                }
            }

            remaining += await database.ListLengthAsync(dead);
        }

        return new(queue ? "queue" : "stream", queue ? messaging.Queue : messaging.Stream, redriven, skipped, remaining);
    }

    private async Task<bool> MoveAsync(RedisKey dead, string partition, bool queue, RedisValue entry, byte[] payload)
    {
        return (long)await database.ScriptEvaluateAsync(RedriveScripts.Move, [dead, partition], [entry, payload, queue ? "queue" : "stream", KeyNames.StreamField]) == 1;
    }

    /// <summary>The original payload when it is a readable message; null for an entry to leave where it is.</summary>
    private byte[]? Payload(RedisValue entry)
    {
        try
        {
            var payload = MessageReader.ReadDeadLetter((byte[])entry!)?.OriginalPayload();
            return payload is not null && MessageReader.Read(payload, messaging.MaxMessageBytes, messaging.ContentRequired).Message is not null ? payload : null;
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or FormatException)
        {
            return null;
        }
    }
}
