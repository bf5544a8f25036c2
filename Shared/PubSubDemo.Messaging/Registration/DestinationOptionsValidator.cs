using Microsoft.Extensions.Options;
using PubSubDemo.Messaging.Cluster;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Messaging.Selection;

namespace PubSubDemo.Messaging;

/// <summary>
/// Checks a registration's options when the host starts (ValidateOnStart): one line per bad value, naming the
/// registration, the option and what is allowed, the same ranges the demo's environment variables have.
/// </summary>
internal sealed class DestinationOptionsValidator : IValidateOptions<QueueOptions>, IValidateOptions<StreamOptions>, IValidateOptions<ChannelOptions>
{
    public ValidateOptionsResult Validate(string? name, QueueOptions options)
    {
        var errors = new Errors($"queue '{name}'");
        Reliable(errors, name, options);
        errors.AtLeast(nameof(options.HeartbeatTtl), options.HeartbeatTtl, TimeSpan.FromSeconds(1));
        return errors.Result;
    }

    public ValidateOptionsResult Validate(string? name, StreamOptions options)
    {
        var errors = new Errors($"stream '{name}'");
        Reliable(errors, name, options);
        errors.Check(nameof(options.Group), options.Group, !string.IsNullOrWhiteSpace(options.Group), "name the consumer group");
        errors.Check(nameof(options.StartAt), options.StartAt, options.StartAt == "$" || System.Text.RegularExpressions.Regex.IsMatch(options.StartAt ?? "", @"^\d+(-\d+)?$"), "use $ (new entries only), 0 (the whole history) or a stream id such as 1700000000000-0");
        errors.AtLeast(nameof(options.ClaimIdle), options.ClaimIdle, TimeSpan.FromMilliseconds(100));
        errors.Check(nameof(options.MaxLength), options.MaxLength, options.MaxLength is null or > 0, "use a length of at least 1, or null to keep everything");
        return errors.Result;
    }

    public ValidateOptionsResult Validate(string? name, ChannelOptions options)
    {
        var errors = new Errors($"channel '{name}'");
        Common(errors, name, options);
        errors.Range(nameof(options.Buffer), options.Buffer, 1, 10_000_000);
        errors.Check(nameof(options.PubSubMode), options.PubSubMode, !(options.PubSubMode == PubSubMode.Sharded && MessagingOptions.IsGlob(name ?? "")),
            "sharded pub/sub cannot subscribe by pattern; use PubSubMode.Classic or a name without * ? [");
        return errors.Result;
    }

    private static void Reliable(Errors errors, string? name, ReliableDestinationOptions options)
    {
        Common(errors, name, options);
        errors.Check("name", name, !MessagingOptions.IsGlob(name ?? ""), "a queue or stream name cannot hold glob characters (* ? [)");
        if (name is not null && KeyNames.Problem(name) is { } problem)
        {
            errors.Check("name", name, false, problem);
        }

        errors.Range(nameof(options.Partitions), options.Partitions, 1, Partitions.Max);
        errors.Range(nameof(options.BatchSize), options.BatchSize, 1, 5_000);
        errors.Range(nameof(options.MaxAttempts), options.MaxAttempts, 1, 1_000);
        errors.AtLeast(nameof(options.RetryBackoff), options.RetryBackoff, TimeSpan.Zero);
        errors.Check(nameof(options.RetryBackoffMax), options.RetryBackoffMax, options.RetryBackoffMax >= options.RetryBackoff,
            $"must be at least RetryBackoff ({DurationParser.Format(options.RetryBackoff)})");
        errors.AtLeast(nameof(options.IdlePoll), options.IdlePoll, TimeSpan.FromMilliseconds(10));
    }

    private static void Common(Errors errors, string? name, DestinationOptions options)
    {
        errors.Check("name", name, !string.IsNullOrWhiteSpace(name), "name the channel, queue or stream");
        errors.Range(nameof(options.MaxMessageBytes), options.MaxMessageBytes, 64, 512 * 1024 * 1024);
        errors.AtLeast(nameof(options.DedupeTtl), options.DedupeTtl, TimeSpan.FromSeconds(1));
        errors.Check(nameof(options.ConsumerName), options.ConsumerName, options.ConsumerName?.Contains(' ', StringComparison.Ordinal) != true, "a consumer name cannot contain spaces");
        if (options.Filter is { } filter && MessageFilter.Parse(filter).Error is { } problem)
        {
            errors.Check(nameof(options.Filter), filter, false, problem);
        }

        errors.Check(nameof(options.HandleRate), options.HandleRate, options.HandleRate is null or (> 0 and <= SelectionOptions.MaxRate),
            $"use a rate above 0 and at most {SelectionOptions.MaxRate:0}, or null for no limit");
    }

    /// <summary>The failures of one registration, each a line: <c>queue 'orders': BatchSize=0 is not valid: use 1 to 5000.</c></summary>
    private sealed class Errors(string registration)
    {
        private readonly List<string> _lines = [];

        public ValidateOptionsResult Result => _lines.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(_lines);

        public void Check<TValue>(string option, TValue value, bool valid, string allowed)
        {
            if (!valid)
            {
                _lines.Add($"{registration}: {option}={value} is not valid: {allowed}.");
            }
        }

        public void Range(string option, long value, long min, long max) => Check(option, value, value >= min && value <= max, $"use {min} to {max}");

        public void AtLeast(string option, TimeSpan value, TimeSpan min) =>
            Check(option, DurationParser.Format(value), value >= min, $"use at least {DurationParser.Format(min)}");
    }
}
