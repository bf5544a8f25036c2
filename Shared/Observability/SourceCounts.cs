namespace PubSubDemo.Shared.Observability;

/// <summary>
/// A subscriber's counters for one source (channel, queue or stream) at one moment: the one shape the summary,
/// the monitor report (<see cref="SourceReport"/>) and the STATS_FILE (<c>SourceStatsFile</c>) are made from.
/// Gaps, duplicates and reorders are followed on the channel only.
/// </summary>
public readonly record struct SourceCounts(
    string Name,
    long Received,
    long Handled,
    long Malformed,
    long Failed,
    long DeadLettered,
    long Dropped,
    long Gaps,
    long Duplicates,
    long Reorders);
