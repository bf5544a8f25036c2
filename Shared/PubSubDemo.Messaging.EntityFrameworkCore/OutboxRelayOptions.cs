namespace PubSubDemo.Messaging.EntityFrameworkCore;

/// <summary>How relays of one outbox share the work.</summary>
public enum OutboxClaimMode
{
    /// <summary>Row locks on PostgreSQL (<see cref="SkipLocked"/>), a lease elsewhere (<see cref="Lease"/>).</summary>
    Auto = 0,

    /// <summary>
    /// PostgreSQL: each relay takes a batch with <c>FOR UPDATE SKIP LOCKED</c> inside a transaction and holds an advisory
    /// lock per partition key until it commits, so relays work side by side without sending a row twice or out of
    /// order.
    /// </summary>
    SkipLocked = 1,

    /// <summary>
    /// Any database (SQLite: one writer anyway): one relay at a time holds a lease row in <c>messaging_outbox_lease</c>,
    /// renewed every batch; another relay takes over once it expires.
    /// </summary>
    Lease = 2,
}

/// <summary>Settings of an <see cref="OutboxRelay{TContext}"/>.</summary>
public sealed class OutboxRelayOptions
{
    /// <summary>
    /// The meter of the relay's instruments, for a host's metrics pipeline (OpenTelemetry's <c>AddMeter</c>):
    /// <c>messaging.outbox.depth</c>, <c>messaging.outbox.oldest_unsent_age</c> and <c>messaging.outbox.parked_rows</c>
    /// (gauges), <c>messaging.outbox.sent</c>, <c>messaging.outbox.failed_batches</c>, <c>messaging.outbox.refused</c> and
    /// <c>messaging.outbox.parked</c> (counters), each tagged <c>messaging.outbox</c> = <see cref="RelayName"/>.
    /// </summary>
    public const string MeterName = "PubSubDemo.Messaging.Outbox";

    /// <summary>The name of the options of a context's relay (one relay per context type), for <c>IOptionsMonitor.Get</c>.</summary>
    public static string NameFor(Type contextType) => contextType.FullName ?? contextType.Name;

    /// <summary>The outbox's name: relays with the same name share one lease, and metrics carry it as a tag.</summary>
    public string RelayName { get; set; } = "default";

    /// <summary>This relay instance, as the lease records it; unique per process by default.</summary>
    public string InstanceId { get; set; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>How relays share the work.</summary>
    public OutboxClaimMode ClaimMode { get; set; } = OutboxClaimMode.Auto;

    /// <summary>Rows per batch handed to the transport.</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>
    /// How often the relay looks without a wake-up signal: rows committed by another process, due rows, a lease to
    /// take over.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a lease holds without renewal: a crashed holder's rows wait at most this long.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The first pause after a failed batch; it doubles up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan MinRetryDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest pause between retries of a failing batch.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Refusals of one row (<see cref="OutboxSendRefusedException"/>) before it is parked, so that the rows behind it on
    /// its key move on; 0 never parks (the key waits for a person, its order kept). A server that is away never counts.
    /// </summary>
    public int MaxRefusals { get; set; } = 5;

    /// <summary>
    /// The pause after a row's first refusal before it is tried again; it doubles with each refusal, up to
    /// <see cref="MaxRetryDelay"/>. With the defaults a poison row is parked about 15 s after its first refusal.
    /// </summary>
    public TimeSpan RefusalRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Sent rows are kept this long (for an operator's look), then deleted.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Lease rows (<c>messaging_outbox_lease</c>) that expired this long ago are deleted: the leases of relay names no
    /// longer in use. A relay whose row was deleted makes it again.
    /// </summary>
    public TimeSpan LeaseRetention { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How often the relay deletes sent rows and lease rows past their retention (the inbox has its own, <see cref="InboxOptions"/>).</summary>
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the depth and age gauges are read from the database.</summary>
    public TimeSpan MetricsInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>One line per bad setting, empty when all are good.</summary>
    internal IEnumerable<string> Problems()
    {
        if (string.IsNullOrWhiteSpace(RelayName))
        {
            yield return "RelayName must not be empty";
        }

        if (string.IsNullOrWhiteSpace(InstanceId))
        {
            yield return "InstanceId must not be empty";
        }

        if (BatchSize is < 1 or > 10_000)
        {
            yield return $"BatchSize must be 1 to 10000, not {BatchSize}";
        }

        foreach (var (name, value) in new[]
                 {
                     (nameof(PollInterval), PollInterval), (nameof(LeaseDuration), LeaseDuration),
                     (nameof(MinRetryDelay), MinRetryDelay), (nameof(MaxRetryDelay), MaxRetryDelay),
                     (nameof(Retention), Retention), (nameof(CleanupInterval), CleanupInterval),
                     (nameof(MetricsInterval), MetricsInterval), (nameof(RefusalRetryDelay), RefusalRetryDelay),
                     (nameof(LeaseRetention), LeaseRetention),
                 })
        {
            if (value <= TimeSpan.Zero)
            {
                yield return $"{name} must be positive, not {value}";
            }
        }

        if (MaxRefusals is < 0 or > 1000)
        {
            yield return $"MaxRefusals must be 0 (never park) to 1000, not {MaxRefusals}";
        }

        if (MaxRetryDelay < MinRetryDelay)
        {
            yield return $"MaxRetryDelay ({MaxRetryDelay}) must not be below MinRetryDelay ({MinRetryDelay})";
        }
    }
}
