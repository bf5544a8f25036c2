namespace PubSubDemo.Messaging.Configuration;

/// <summary>
/// CHANNEL as the subscriber reads it: a comma-separated list of channel names and globs (<c>order,shipment</c>,
/// <c>orders.*,audit</c>), each subscribed on its own. One name without a comma is the list of one it always was.
/// </summary>
internal static class ChannelList
{
    /// <summary>The entries of <paramref name="channel"/> in the order written, trimmed; empty entries are left out (and reported by <see cref="Validate"/>).</summary>
    public static string[] Entries(string channel) =>
        channel.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Whether CHANNEL names more than one entry.</summary>
    public static bool IsList(string channel) => channel.Contains(',', StringComparison.Ordinal);
}
