using Microsoft.Extensions.Logging;

namespace PubSubDemo.Messaging.EntityFrameworkCore;

/// <summary>The outbox and inbox log lines: event ids 6000 to 6099.</summary>
internal static partial class OutboxLog
{
    [LoggerMessage(6001, LogLevel.Information, "Outbox relay {Relay} started as {Instance} ({Mode})")]
    public static partial void Started(ILogger logger, string relay, string instance, OutboxClaimMode mode);

    [LoggerMessage(6002, LogLevel.Warning, "Outbox relay {Relay}: a batch failed, sending it again in {Delay}")]
    public static partial void BatchFailed(ILogger logger, string relay, TimeSpan delay, Exception exception);

    [LoggerMessage(6003, LogLevel.Information, "Outbox relay {Relay}: deleted {Count} rows sent before {Cutoff:O}")]
    public static partial void CleanedUp(ILogger logger, string relay, int count, DateTime cutoff);

    [LoggerMessage(6004, LogLevel.Warning, "Outbox relay {Relay}: cleanup or metrics read failed; tried again later")]
    public static partial void HousekeepingFailed(ILogger logger, string relay, Exception exception);

    [LoggerMessage(6005, LogLevel.Information, "Outbox relay {Relay} stopped")]
    public static partial void Stopped(ILogger logger, string relay);

    [LoggerMessage(6006, LogLevel.Error, "Outbox relay {Relay}: parked row {RowId} (message {MessageId}) for {Kind} {Destination}, key {Key}, after {Refusals} refusals: {Reason}; the rows behind it on its key go on, and IOutboxAdmin.RequeueAsync puts it back")]
    public static partial void Parked(ILogger logger, string relay, long rowId, string messageId, OutboxDestinationKind kind, string destination, string? key, int refusals, string reason);

    [LoggerMessage(6007, LogLevel.Warning, "Outbox relay {Relay}: row {RowId} (message {MessageId}) refused ({Refusals}), tried again in {Delay} with its key held: {Reason}")]
    public static partial void Refused(ILogger logger, string relay, long rowId, string messageId, int refusals, TimeSpan delay, string reason);

    [LoggerMessage(6008, LogLevel.Information, "Outbox relay {Relay}: a batch of {Count} was refused ({Reason}); sending it one row at a time to find the rows refused")]
    public static partial void Isolating(ILogger logger, string relay, int count, string reason);

    [LoggerMessage(6009, LogLevel.Information, "Outbox {Relay}: put back {Count} parked rows ({What})")]
    public static partial void Requeued(ILogger logger, string relay, int count, string what);

    [LoggerMessage(6010, LogLevel.Information, "Outbox relay {Relay}: deleted {Count} lease rows expired before {ExpiredBefore:O}")]
    public static partial void CleanedUpLeases(ILogger logger, string relay, int count, DateTime expiredBefore);

    [LoggerMessage(6011, LogLevel.Information, "Inbox of {Context}: deleted {Count} markers handled before {HandledBefore:O}")]
    public static partial void InboxCleanedUp(ILogger logger, string context, int count, DateTime handledBefore);
}
