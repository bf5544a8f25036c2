using Microsoft.Extensions.Logging;

namespace PubSubDemo.Messaging.Processing;

/// <summary>
/// What the consumers report of single deliveries outside the handler's call: set aside, lost, duplicates (DEDUPE),
/// shed. Each is reported once on the source's outcome path (counted for the instruments, seen by the observers) and,
/// where a reader needs it, logged with the message's id. Batches the consumers settle (retried, deferred,
/// dead-lettered) they report on that path themselves (<see cref="Outcomes"/>), not through methods here.
/// </summary>
internal sealed partial class MessageProcessor
{
    /// <summary>A delivery with no payload to read (a stream entry without our field): counted and logged as malformed.</summary>
    public ProcessResult Reject(MessageSource source, string reason)
    {
        var sink = telemetry.For(source);
        sink.Report(MessageOutcome.Received);
        return Malformed(sink, reason, "(none)");
    }

    /// <summary>
    /// A delivered entry whose payload is gone (trimmed or deleted by another client while it was pending): nothing can
    /// be handled, so it is counted and logged as lost with its id, never acknowledged away in silence.
    /// </summary>
    public void Lost(MessageSource source, string entryId)
    {
        var sink = telemetry.For(source);
        sink.Report(MessageOutcome.Lost);
        LogLost(sink.Name, entryId);
    }

    /// <summary>DEDUPE: a delivery whose id was handled before; counted and logged as a duplicate, never handed to the handler.</summary>
    public ProcessResult Duplicate(MessageSource source, string messageId, string? channel = null)
    {
        var sink = telemetry.For(source);
        sink.Report(MessageOutcome.Received, channel: channel, id: messageId);
        sink.Report(MessageOutcome.Duplicate, channel: channel, id: messageId);
        LogAlreadyHandled(sink.Name, messageId);
        return new(Disposition.Duplicate, "already handled", messageId);
    }

    /// <summary>DEDUPE: handled here, but another consumer had committed the same id first, so this one's effects were not applied.</summary>
    public void CommittedElsewhere(MessageSource source, string messageId)
    {
        var sink = telemetry.For(source);
        sink.Report(MessageOutcome.Duplicate, id: messageId);
        LogCommittedElsewhere(sink.Name, messageId);
    }

    /// <summary>DEDUPE: a handled message's effect failed on the server; it is settled as a failure (retried, then dead-lettered).</summary>
    public ProcessResult EffectFailed(MessageSource source, string messageId, string reason)
    {
        var sink = telemetry.For(source);
        sink.Report(MessageOutcome.Failed, id: messageId);
        LogEffectFailed(sink.Name, messageId, reason);
        return new(Disposition.Failed, $"effect failed: {reason}", messageId);
    }

    /// <summary>The consumer shed a delivery before processing it (the channel buffer was full); <paramref name="channel"/> is the channel it came on.</summary>
    public void Dropped(MessageSource source, string? channel = null) => telemetry.For(source).Report(MessageOutcome.Dropped, channel: channel);

    /// <summary>The server closed the subscription, most likely for its output-buffer limit (SubscriptionDropWatch).</summary>
    public void DisconnectedWhenSlow(MessageSource source) => telemetry.For(source).Report(MessageOutcome.Disconnected);

    /// <summary>How many deliveries of <paramref name="source"/> arrived so far.</summary>
    public long Received(MessageSource source) => telemetry.For(source).Count(MessageOutcome.Received);

    [LoggerMessage(3007, LogLevel.Warning, "Lost {Source} entry {EntryId}: it was trimmed or deleted on the server before it was handled")]
    private partial void LogLost(string source, string entryId);

    [LoggerMessage(3008, LogLevel.Information, "Duplicate {Source} message {Id}: already handled (DEDUPE); acknowledged without calling the handler")]
    private partial void LogAlreadyHandled(string source, string id);

    [LoggerMessage(3009, LogLevel.Information, "Duplicate {Source} message {Id}: another consumer committed it first (DEDUPE); its effects were applied once")]
    private partial void LogCommittedElsewhere(string source, string id);

    [LoggerMessage(3010, LogLevel.Warning, "Effect of {Source} message {Id} failed on the server: {Reason}; not acknowledged, it will be retried")]
    private partial void LogEffectFailed(string source, string id, string reason);
}
