using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Messaging.Consumers;
using PubSubDemo.Shared.Configuration;

namespace PubSubDemo.Subscriber;

/// <summary><see cref="ConsumerOptions"/> read from the environment variables users already know (the one catalogue, <see cref="EnvironmentNames"/>).</summary>
internal sealed class SubscriberSettings : ConsumerOptions, IServiceSettings
{
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
        BlockingTake = reader.Flag(EnvironmentNames.BlockingTake, BlockingTake);
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
