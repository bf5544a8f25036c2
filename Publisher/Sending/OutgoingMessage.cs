using PubSubDemo.Shared.Contract;
using StackExchange.Redis;

namespace PubSubDemo.Publisher.Sending;

/// <summary>
/// A message on its way: serialized once, so every retry sends the same id, timestamp and bytes; it remembers which
/// destinations have taken it, so that a retry resends it only where it failed.
/// </summary>
internal sealed class OutgoingMessage(Message message)
{
    private Destinations _taken;

    public Message Message { get; } = message;

    public RedisValue Payload { get; } = MessageReader.Write(message);

    /// <summary>The queue and stream partition this message goes to, chosen once (<see cref="Partitioner"/>) so a retry goes to the same one.</summary>
    public int Partition { get; set; }

    public bool IsTakenBy(Destinations destination) => (_taken & destination) != 0;

    public void MarkTakenBy(Destinations destination) => _taken |= destination;
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
