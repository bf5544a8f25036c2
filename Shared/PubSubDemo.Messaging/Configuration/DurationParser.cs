using System.Globalization;

namespace PubSubDemo.Messaging.Configuration;

/// <summary>Durations as people write them in environment variables.</summary>
internal static class DurationParser
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        text = text.Trim();
        if (text.Length == 0)
        {
            return false;
        }

        if (text.Contains(':', StringComparison.Ordinal))
        {
            return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value) && value >= TimeSpan.Zero;
        }

        (string number, double scale) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.OrdinalIgnoreCase) => (text[..^2], 0.001),
            _ when text.EndsWith("us", StringComparison.OrdinalIgnoreCase) => (text[..^2], 0.000001),
            _ when text.EndsWith('s') || text.EndsWith('S') => (text[..^1], 1.0),
            _ when text.EndsWith('m') || text.EndsWith('M') => (text[..^1], 60.0),
            _ when text.EndsWith('h') || text.EndsWith('H') => (text[..^1], 3600.0),
            _ => (text, 1.0),
        };

        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) ||
            double.IsNaN(amount) || double.IsInfinity(amount) || amount < 0 || amount * scale > TimeSpan.MaxValue.TotalSeconds / 2)
        {
            return false;
        }

        value = TimeSpan.FromTicks((long)Math.Round(amount * scale * TimeSpan.TicksPerSecond));
        return true;
    }

    public static string Format(TimeSpan value) =>
        value.TotalSeconds >= 1 ? $"{value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)}s"
                                : $"{value.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture)}ms";
}
