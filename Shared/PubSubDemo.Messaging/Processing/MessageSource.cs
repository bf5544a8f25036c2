namespace PubSubDemo.Messaging;

/// <summary>Where a message came from: the words used in log lines, summaries and metric tags.</summary>
public enum MessageSource
{
    Channel,
    Queue,
    Stream,
}
