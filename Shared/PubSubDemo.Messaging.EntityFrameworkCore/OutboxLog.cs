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
}
