using System.Globalization;

namespace PubSubDemo.Messaging.Contract;

/// <summary>
/// Stream entry ids ("milliseconds-sequence") compared and stepped in C#, for the places that compute a position outside
/// a script (a group recreated where the lost one left off, the retention bound). Ids compare by their two numbers,
/// never as text ("10-0" is after "9-0").
/// </summary>
internal static class StreamIds
{
    /// <summary>The two numbers of <paramref name="id"/> ("5" reads as 5-0); false for anything else.</summary>
    public static bool TryParse(string? id, out (ulong Ms, ulong Seq) parsed)
    {
        parsed = default;
        if (string.IsNullOrEmpty(id))
        {
            return false;
        }

        var dash = id.IndexOf('-', StringComparison.Ordinal);
        var ms = dash < 0 ? id : id[..dash];
        var seq = dash < 0 ? "0" : id[(dash + 1)..];
        if (!ulong.TryParse(ms, NumberStyles.None, CultureInfo.InvariantCulture, out var m)
            || !ulong.TryParse(seq, NumberStyles.None, CultureInfo.InvariantCulture, out var s))
        {
            return false;
        }

        parsed = (m, s);
        return true;
    }

    /// <summary>Negative when <paramref name="a"/> comes before <paramref name="b"/>; ids that do not parse sort first.</summary>
    public static int Compare(string? a, string? b)
    {
        var okA = TryParse(a, out var x);
        var okB = TryParse(b, out var y);
        return okA != okB ? (okA ? 1 : -1) : x.CompareTo(y);
    }

    /// <summary>The smallest of the ids that parse, or null when none does.</summary>
    public static string? Min(IEnumerable<string?> ids)
    {
        string? min = null;
        foreach (var id in ids)
        {
            if (TryParse(id, out _) && (min is null || Compare(id, min) < 0))
            {
                min = id;
            }
        }

        return min;
    }

    /// <summary>
    /// The id just before <paramref name="id"/>: a group created there delivers <paramref name="id"/> next. "0" for the
    /// first possible id (and for anything that does not parse, which is then read from the start).
    /// </summary>
    public static string Before(string id)
    {
        if (!TryParse(id, out var parsed) || parsed == (0, 0))
        {
            return "0";
        }

        return parsed.Seq > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{parsed.Ms}-{parsed.Seq - 1}")
            : string.Create(CultureInfo.InvariantCulture, $"{parsed.Ms - 1}-{ulong.MaxValue}");
    }
}
