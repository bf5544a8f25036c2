using System.Globalization;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;

namespace PubSubDemo.Publisher.Generation;

/// <summary>
/// Makes messages whose ids are unique across publisher instances and restarts: the sender's instance name
/// (host, process id, random part) plus a sequence number that starts at 1. With a <paramref name="delay"/> (DELAY) each
/// message is due that long after its timestamp (<see cref="Message.NotBefore"/>).
/// </summary>
internal sealed class MessageFactory(string sender, int messageSize, TimeSpan delay = default)
{
    private long _sequence;

    public string Sender => sender;

    public Message Create(DateTimeOffset timestamp)
    {
        var seq = ++_sequence;
        var content = string.Create(CultureInfo.InvariantCulture, $"Message #{seq}");
        if (content.Length < messageSize)
        {
            content = content.PadRight(messageSize, '.');
        }

        return new Message($"{sender}-{seq}", content, timestamp, sender, seq, NotBefore: delay > TimeSpan.Zero ? timestamp + delay : null);
    }
}
