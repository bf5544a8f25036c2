using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Messaging.Processing;

namespace PubSubDemo.Messaging.Consumers;

/// <summary>
/// One delivery as a consumer hands it on: where it came from, its payload, and that payload read once by the tolerant
/// <see cref="MessageReader"/>. DEDUPE's lookup (the id) and the processing path (the message) share that one reading.
/// <paramref name="Attempt"/> is this delivery's attempt (1 for a first delivery; a queue item's count travels with it,
/// a stream entry's is its delivery count when the server told us); <paramref name="Partition"/> the index of the
/// partition it came from (0 for an unpartitioned destination, whose one partition is the name itself, and a channel);
/// <paramref name="Channel"/> the channel a channel delivery came on, for the observers.
/// </summary>
internal readonly record struct Delivery(MessageSource Source, ReadOnlyMemory<byte> Payload, ReadResult Read, int Attempt = 1, int Partition = 0, string? Channel = null)
{
    /// <summary>The message id, when the payload could be read.</summary>
    public string? Id => Read.Message?.Id;

    /// <summary>Reads <paramref name="payload"/> with the engine's limits (MAX_MESSAGE_BYTES, whether content is required).</summary>
    public static Delivery Of(MessageSource source, ReadOnlyMemory<byte> payload, MessagingOptions messaging, int attempt = 1, int partition = 0, string? channel = null) =>
        new(source, payload, MessageReader.Read(payload.Span, messaging.MaxMessageBytes, messaging.ContentRequired), attempt, partition, channel);

    /// <summary>A delivery without a payload to read (a stream entry deleted while pending, or without our field): never handed to the handler.</summary>
    public static Delivery Empty(MessageSource source) => new(source, ReadOnlyMemory<byte>.Empty, default);
}
