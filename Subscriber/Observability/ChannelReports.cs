using PubSubDemo.Shared.Observability;
using PubSubDemo.Messaging.Observability;
using PubSubDemo.Subscriber.Figures;

namespace PubSubDemo.Subscriber.Observability;

/// <summary>The monitor report's per-channel rows: each channel's counts and its handled rate since the last report.</summary>
internal sealed class ChannelReports(ChannelFigures figures)
{
    private readonly Dictionary<string, long> _lastHandled = new(StringComparer.Ordinal);

    public IReadOnlyList<ChannelReport> Build(double seconds)
    {
        var rows = new List<ChannelReport>();
        foreach (var channel in figures.All)
        {
            var handled = channel.Handled;
            var rate = (handled - _lastHandled.GetValueOrDefault(channel.Name)) / seconds;
            _lastHandled[channel.Name] = handled;
            rows.Add(new ChannelReport(channel.Name, channel.Received, handled, channel.Filtered, channel.Dropped, Math.Round(rate, 1)));
        }

        return rows;
    }
}
