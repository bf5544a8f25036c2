using System.Text.RegularExpressions;

namespace PubSubDemo.FaultTests.Support;

/// <summary>
/// Reads what a service process printed: with LOG_MESSAGES=true the subscriber prints one line per handled
/// message, <c>[sender] content (ID: id) [Received #n from queue] latency x ms</c>.
/// </summary>
internal static partial class ServiceOutput
{
    /// <summary>The ids handled from <paramref name="source"/> (queue, stream or channel), in the order printed, repeats included.</summary>
    public static List<string> HandledIds(IEnumerable<string> lines, string source) =>
        lines.Select(line => ReceivedLine().Match(line))
            .Where(m => m.Success && m.Groups["source"].Value == source)
            .Select(m => m.Groups["id"].Value)
            .ToList();

    public static List<string> HandledIds(ServiceProcess process, string source) => HandledIds(process.Output.ToList(), source);

    public static int CountHandled(ServiceProcess process) => process.Output.Count(line => ReceivedLine().IsMatch(line));

    /// <summary>The numbers printed after <paramref name="label"/> in summary lines, e.g. "backlog 4711".</summary>
    public static List<long> NumbersAfter(IEnumerable<string> lines, string label) =>
        lines.Select(line => Regex.Match(line, Regex.Escape(label) + @" (\d+)"))
            .Where(m => m.Success)
            .Select(m => long.Parse(m.Groups[1].Value))
            .ToList();

    public static string Tail(IEnumerable<string> lines, int count = 25) => string.Join('\n', lines.TakeLast(count));

    [GeneratedRegex(@"\(ID: (?<id>[^\s)]+)\) \[Received #\d+ from (?<source>channel|queue|stream)\]")]
    private static partial Regex ReceivedLine();
}
