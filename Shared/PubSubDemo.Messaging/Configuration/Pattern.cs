namespace PubSubDemo.Messaging.Configuration;

/// <summary>Which messaging paths a service uses (PATTERN).</summary>
[Flags]
public enum Pattern
{
    PubSub = 1,
    Queue = 2,
    Stream = 4,
    Both = PubSub | Queue,
    All = PubSub | Queue | Stream,
}
