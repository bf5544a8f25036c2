using PubSubDemo.Subscriber.Figures;

namespace PubSubDemo.Subscriber.Reporting;

/// <summary>The summary line's words for retries and delayed messages, shown once there are any.</summary>
internal static class DueSummary
{
    public static string Of(SourceFigures source)
    {
        var due = source.DueLater > 0 ? $" ({source.DueLater} due later)" : "";
        return source.Retried > 0 || source.Delayed > 0 || due.Length > 0
            ? $"{due}, retried {source.Retried}, delayed {source.Delayed}"
            : "";
    }
}
