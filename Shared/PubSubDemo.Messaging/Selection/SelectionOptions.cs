using PubSubDemo.Messaging.Configuration;

namespace PubSubDemo.Messaging.Selection;

/// <summary>Which messages the handler sees (FILTER) and how fast it is handed them (HANDLE_RATE).</summary>
internal class SelectionOptions
{
    /// <summary>The most HANDLE_RATE accepts: beyond it a limit is no limit on this machine.</summary>
    public const double MaxRate = 1_000_000;

    /// <summary>FILTER parsed, or null when every message goes to the handler.</summary>
    public MessageFilter? Filter { get; set; }

    /// <summary>HANDLE_RATE: messages per second this subscriber takes, over every source together; null is no limit.</summary>
    public double? HandleRate { get; set; }
}
