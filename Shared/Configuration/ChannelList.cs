namespace PubSubDemo.Shared.Configuration;

/// <summary>
/// CHANNEL as the subscriber reads it: a comma-separated list of channel names and globs (<c>order,shipment</c>,
/// <c>orders.*,audit</c>), each subscribed on its own. One name without a comma is the list of one it always was.
/// </summary>
public static class ChannelList
{
    /// <summary>The entries of <paramref name="channel"/> in the order written, trimmed; empty entries are left out (and reported by <see cref="Validate"/>).</summary>
    public static string[] Entries(string channel) =>
        channel.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Whether CHANNEL names more than one entry.</summary>
    public static bool IsList(string channel) => channel.Contains(',', StringComparison.Ordinal);

    /// <summary>An empty entry (<c>order,,shipment</c>, a trailing comma) or one written twice is a mistake, not a wish.</summary>
    public static void Validate(SettingsReader reader, string channel)
    {
        var parts = channel.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Any(p => p.Length == 0))
        {
            reader.Error(EnvironmentNames.Channel, channel, "an entry of the comma-separated list is empty; write channels and globs as order,shipment or orders.*,audit");
            return;
        }

        if (parts.GroupBy(p => p, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            reader.Error(EnvironmentNames.Channel, channel, $"'{twice.Key}' is listed twice; each channel or glob is subscribed once");
        }
    }
}
