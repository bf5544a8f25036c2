using System.Diagnostics;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Messaging.Observability;
using StackExchange.Redis;

namespace PubSubDemo.Messaging.Producing;

/// <summary>
/// A message on its way: serialized once, so every retry sends the same id, timestamp and bytes; it remembers which
/// destinations have taken it, so that a retry resends it only where it failed. Its producer span, when traced,
/// starts here (so its context is in the bytes) and ends when the last of its destinations has taken it.
/// </summary>
internal sealed class OutgoingMessage
{
    private readonly Destinations _to;
    private Destinations _taken;

    public OutgoingMessage(Message message, Activity? trace = null, Destinations to = Destinations.None)
    {
        _to = to;
        Trace = trace;
        Message = MessageTracing.WithContext(message, trace);
        Payload = MessageReader.Write(Message);
    }

    /// <summary>
    /// A typed message: <paramref name="envelope"/> holds the engine's fields (id, timestamp, due time), <paramref name="write"/>
    /// makes the payload from them once the trace context is in; <paramref name="key"/> picks the partition.
    /// </summary>
    public OutgoingMessage(Message envelope, Func<Message, byte[]> write, string? key, Activity? trace, Destinations to)
    {
        _to = to;
        Trace = trace;
        Key = key;
        Message = MessageTracing.WithContext(envelope, trace);
        Payload = write(Message);
    }

    /// <summary>The partition key a typed producer was given; null picks the partition by the producer's rule.</summary>
    public string? Key { get; }

    public Message Message { get; }

    public RedisValue Payload { get; }

    /// <summary>The producer span ("&lt;destination&gt; send"); null when nobody listens.</summary>
    public Activity? Trace { get; }

    /// <summary>The queue and stream partition this message goes to, chosen once (<see cref="Partitioner"/>) so a retry goes to the same one.</summary>
    public int Partition { get; set; }

    public bool IsTakenBy(Destinations destination) => (_taken & destination) != 0;

    /// <summary>True once every destination it is for has taken it.</summary>
    public bool IsTaken => _taken != Destinations.None && (_taken & _to) == _to;

    public void MarkTakenBy(Destinations destination)
    {
        _taken |= destination;
        if (Trace is not null && _taken == _to)
        {
            MessageTracing.EndSend(Trace);
        }
    }
}

/// <summary>One bit per destination, for <see cref="OutgoingMessage"/>'s "already taken" marks.</summary>
[Flags]
internal enum Destinations
{
    None = 0,
    Channel = 1,
    Queue = 2,
    Stream = 4,
}
