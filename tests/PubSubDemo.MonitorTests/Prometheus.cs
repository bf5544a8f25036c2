using System.Globalization;

namespace PubSubDemo.MonitorTests;

/// <summary>Reads samples out of the Prometheus text format, as a scraper would.</summary>
public static class Prometheus
{
    /// <summary>The value of the first sample named <paramref name="name"/> whose labels include every one of <paramref name="labels"/>; null when absent.</summary>
    public static double? Sample(string exposition, string name, params string[] labels)
    {
        foreach (var line in exposition.Split('\n'))
        {
            if (line.StartsWith('#') || !(line.StartsWith(name + "{", StringComparison.Ordinal) || line.StartsWith(name + " ", StringComparison.Ordinal)))
            {
                continue;
            }

            if (labels.All(label => line.Contains(label, StringComparison.Ordinal)))
            {
                var value = line[(line.LastIndexOf(' ') + 1)..];
                return double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture);
            }
        }

        return null;
    }
}
