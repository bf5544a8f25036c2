namespace PubSubDemo.Messaging;

/// <summary>Where a message came from (<see cref="MessageContext{T}.Source"/>); its lower-case name is the word used in log lines and metric tags.</summary>
public enum MessageSource
{
    /// <summary>A pub/sub channel: at most once, only while subscribed.</summary>
    Channel,

    /// <summary>A list queue: at least once, to one consumer.</summary>
    Queue,

    /// <summary>A stream read in a consumer group: at least once, to one consumer of each group.</summary>
    Stream,
}
