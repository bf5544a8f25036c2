using System.Globalization;
using PubSubDemo.Messaging.Contract;

namespace PubSubDemo.Messaging.Producing;

/// <summary>
/// Chooses each message's partition (PARTITIONS) once, when its batch is formed: the whole batch to the next partition,
/// round-robin, so each batch stays one push; or, with MESSAGE_KEY, by the stable hash of that field's value, so one
/// key's messages always go to the same partition and keep their order there.
/// </summary>
internal sealed class Partitioner(int count, string? messageKey)
{
    private int _next;

    public void Assign(List<OutgoingMessage> batch)
    {
        if (count == 1)
        {
            return;
        }

        if (batch.TrueForAll(m => m.Key is not null))
        {
            foreach (var message in batch)
            {
                message.Partition = Partitions.ForKey(message.Key!, count);
            }

            return;
        }

        if (messageKey is null)
        {
            var partition = _next;
            _next = (_next + 1) % count;
            foreach (var message in batch)
            {
                message.Partition = partition;
            }

            return;
        }

        foreach (var message in batch)
        {
            message.Partition = Partitions.ForKey(KeyOf(message.Message), count);
        }
    }

    /// <summary>The value of the MESSAGE_KEY field of <paramref name="message"/> (an absent sender keys as empty).</summary>
    private string KeyOf(Message message) => messageKey switch
    {
        "sender" => message.Sender ?? "",
        "id" => message.Id,
        "content" => message.Content,
        "timestamp" => message.Timestamp.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
        "seq" => message.Seq?.ToString(CultureInfo.InvariantCulture) ?? "",
        _ => throw new InvalidOperationException($"MESSAGE_KEY '{messageKey}' was not validated"),
    };
}
