using PubSubDemo.Shared.Contract;
using StackExchange.Redis;

namespace PubSubDemo.Publisher.Sending;

/// <summary>A message on its way: serialized once, so every retry sends the same id, timestamp and bytes.</summary>
internal sealed class OutgoingMessage(Message message)
{
    public Message Message { get; } = message;

    public RedisValue Payload { get; } = MessageReader.Write(message);

    public bool PublishedToChannel { get; set; }

    public bool PushedToQueue { get; set; }

    public bool AddedToStream { get; set; }
}
