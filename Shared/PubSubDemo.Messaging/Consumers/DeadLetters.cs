using PubSubDemo.Messaging.Contract;
using StackExchange.Redis;

namespace PubSubDemo.Messaging.Consumers;

/// <summary>The entry written to <c>&lt;queue&gt;:dead</c> or <c>&lt;stream&gt;:dead</c>: the original payload, verbatim, and why.</summary>
internal static class DeadLetters
{
    public static RedisValue Envelope(string consumer, TimeProvider time, RedisValue payload, string reason, int attempts) =>
        MessageReader.Write(DeadLetter.For(payload.IsNull ? [] : (byte[])payload!, reason, consumer, time.GetUtcNow(), attempts));
}
