namespace PubSubDemo.Shared.Observability;

/// <summary>One sampled message as a subscriber handled it: which message, whose, from which source, sent and handled when.</summary>
internal sealed record FlowSample(
    string Id,
    string? Sender,
    string Source,
    DateTimeOffset SentAt,
    DateTimeOffset HandledAt,
    string? TraceId = null);
