using PubSubDemo.Shared.Configuration;

namespace PubSubDemo.Subscriber;

/// <summary>How the subscriber consumes: batch sizes, buffers, failure handling and what it logs.</summary>
public sealed class SubscriberSettings : IServiceSettings
{
    /// <summary>One line per message handled (LOG_MESSAGES); turn off under load.</summary>
    public bool LogMessages { get; set; } = true;

    public TimeSpan SummaryInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Most queue items or stream entries taken in one round trip.</summary>
    public int BatchSize { get; set; } = 200;

    /// <summary>Channel messages received but not yet handled; past this, new ones are dropped, logged and counted.</summary>
    public int ChannelBuffer { get; set; } = 10_000;

    /// <summary>Names this consumer's processing list and heartbeat; unique per process unless CONSUMER_NAME pins it.</summary>
    public string ConsumerName { get; set; } = "";

    /// <summary>A consumer whose heartbeat is older than this is dead; its in-flight items go back to the queue.</summary>
    public TimeSpan HeartbeatTtl { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Failed attempts before an item goes to the dead-letter list.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>RETRY_BACKOFF: the wait before the first retry of a failed queue item or stream entry; it doubles per attempt, with jitter.</summary>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>RETRY_BACKOFF_MAX: the longest wait between two attempts.</summary>
    public TimeSpan RetryBackoffMax { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Stream entries pending longer than this are claimed from their (presumably dead) consumer.</summary>
    public TimeSpan ClaimIdle { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often an idle consumer looks at the queue without a doorbell (for producers that do not ring).</summary>
    public TimeSpan IdlePoll { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Simulated work per message, for demos of a slow handler.</summary>
    public TimeSpan HandlerDelay { get; set; } = TimeSpan.Zero;

    /// <summary>Fault injection: the handler fails on messages whose content contains this text.</summary>
    public string? FailOn { get; set; }

    /// <summary>Where a new stream consumer group starts: <c>$</c> (new entries only) or <c>0</c> (replay history).</summary>
    public string StreamStart { get; set; } = "$";

    /// <summary>The name this process consumes under: CONSUMER_NAME, else the instance name.</summary>
    public string ConsumerFor(MessagingSettings messaging) => ConsumerName.Length > 0 ? ConsumerName : messaging.InstanceName;

    public void Load(SettingsReader reader)
    {
        LogMessages = reader.Flag(EnvironmentNames.LogMessages, LogMessages);
        SummaryInterval = reader.Duration(EnvironmentNames.SummaryInterval, SummaryInterval, TimeSpan.FromMilliseconds(100));
        BatchSize = reader.Count(EnvironmentNames.BatchSize, BatchSize, 1, 5_000);
        ChannelBuffer = reader.Count(EnvironmentNames.ChannelBuffer, ChannelBuffer, 1, 10_000_000);
        ConsumerName = reader.Text(EnvironmentNames.ConsumerName, "");
        HeartbeatTtl = reader.Duration(EnvironmentNames.HeartbeatTtl, HeartbeatTtl, TimeSpan.FromSeconds(1));
        MaxAttempts = reader.Count(EnvironmentNames.MaxAttempts, MaxAttempts, 1, 1_000);
        RetryBackoff = reader.Duration(EnvironmentNames.RetryBackoff, RetryBackoff, TimeSpan.Zero);
        RetryBackoffMax = reader.Duration(EnvironmentNames.RetryBackoffMax, RetryBackoffMax, TimeSpan.Zero);
        if (RetryBackoffMax < RetryBackoff)
        {
            var (name, other) = reader.Raw(EnvironmentNames.RetryBackoffMax) is null
                ? (EnvironmentNames.RetryBackoff, $"at most RETRY_BACKOFF_MAX ({DurationParser.Format(RetryBackoffMax)}); raise RETRY_BACKOFF_MAX too")
                : (EnvironmentNames.RetryBackoffMax, $"at least RETRY_BACKOFF ({DurationParser.Format(RetryBackoff)})");
            reader.Error(name, reader.Raw(name), $"must be {other}");
        }

        ClaimIdle = reader.Duration(EnvironmentNames.ClaimIdle, ClaimIdle, TimeSpan.FromMilliseconds(100));
        IdlePoll = reader.Duration(EnvironmentNames.IdlePoll, IdlePoll, TimeSpan.FromMilliseconds(10));
        HandlerDelay = reader.Duration(EnvironmentNames.HandlerDelay, HandlerDelay, TimeSpan.Zero);
        FailOn = reader.Raw(EnvironmentNames.FailOn);
        StreamStart = reader.Text(EnvironmentNames.StreamStart, StreamStart);
        if (StreamStart != "$" && !System.Text.RegularExpressions.Regex.IsMatch(StreamStart, @"^\d+(-\d+)?$"))
        {
            reader.Error(EnvironmentNames.StreamStart, StreamStart, "use $ (new entries only), 0 (the whole history) or a stream id such as 1700000000000-0");
        }

        if (ConsumerName.Contains(' ', StringComparison.Ordinal))
        {
            reader.Error(EnvironmentNames.ConsumerName, ConsumerName, "a consumer name cannot contain spaces");
        }
    }
}
