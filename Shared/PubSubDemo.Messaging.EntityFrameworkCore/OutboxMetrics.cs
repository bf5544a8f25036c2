using System.Diagnostics.Metrics;

namespace PubSubDemo.Messaging.EntityFrameworkCore;

/// <summary>
/// The outbox's instruments on the meter <see cref="OutboxRelayOptions.MeterName"/>, tagged with the relay name. The gauges report
/// what the relay last read from the database (every <see cref="OutboxRelayOptions.MetricsInterval"/>): an observable
/// callback must not run a query.
/// </summary>
internal sealed class OutboxMetrics
{
    private readonly KeyValuePair<string, object?> _outbox;
    private readonly Counter<long> _sent;
    private readonly Counter<long> _failedBatches;
    private readonly Counter<long> _refused;
    private readonly Counter<long> _parked;
    private long _depth;
    private long _parkedRows;
    private double _oldestAgeSeconds;

    public OutboxMetrics(IMeterFactory meterFactory, string relayName)
    {
        var meter = meterFactory.Create(OutboxRelayOptions.MeterName);
        _outbox = new("messaging.outbox", relayName);
        _sent = meter.CreateCounter<long>("messaging.outbox.sent", "{message}", "Outbox rows the transport accepted and the relay marked sent.");
        _failedBatches = meter.CreateCounter<long>("messaging.outbox.failed_batches", "{batch}", "Batches whose send or marking failed; they are sent again.");
        _refused = meter.CreateCounter<long>("messaging.outbox.refused", "{message}", "Sends of one row the transport refused (not a server away).");
        _parked = meter.CreateCounter<long>("messaging.outbox.parked", "{message}", "Rows set aside after MaxRefusals refusals; they wait for a person.");
        meter.CreateObservableGauge("messaging.outbox.depth", () => new Measurement<long>(Interlocked.Read(ref _depth), _outbox),
            "{message}", "Unsent rows in the outbox (due or not), parked rows apart.");
        meter.CreateObservableGauge("messaging.outbox.oldest_unsent_age", () => new Measurement<double>(Volatile.Read(ref _oldestAgeSeconds), _outbox),
            "s", "Age of the oldest unsent row that is not parked; 0 when none.");
        meter.CreateObservableGauge("messaging.outbox.parked_rows", () => new Measurement<long>(Interlocked.Read(ref _parkedRows), _outbox),
            "{message}", "Parked rows in the outbox, waiting to be put back.");
    }

    public long Depth => Interlocked.Read(ref _depth);

    public void Sent(int count) => _sent.Add(count, _outbox);

    public void BatchFailed() => _failedBatches.Add(1, _outbox);

    public void Refused() => _refused.Add(1, _outbox);

    public void Parked() => _parked.Add(1, _outbox);

    public void Observed(long depth, TimeSpan oldestAge, long parkedRows)
    {
        Interlocked.Exchange(ref _parkedRows, parkedRows);
        Interlocked.Exchange(ref _depth, depth);
        Volatile.Write(ref _oldestAgeSeconds, Math.Max(0, oldestAge.TotalSeconds));
    }
}
