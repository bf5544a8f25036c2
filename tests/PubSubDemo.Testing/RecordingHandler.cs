using PubSubDemo.Messaging;
using System.Collections.Concurrent;
using PubSubDemo.Messaging.Processing;

namespace PubSubDemo.Testing;

/// <summary>
/// A real handler that remembers what it handled, so a test can count every message by id. Like the demo handler's
/// FAIL_ON it can fail the messages whose content contains <see cref="FailOn"/>, and like a flaky dependency only on
/// their first <see cref="FailTimes"/> attempts; every attempt is remembered with its time.
/// </summary>
internal sealed class RecordingHandler : IMessageHandler
{
    private readonly ConcurrentQueue<ReceivedMessage> _handled = new();
    private readonly ConcurrentQueue<Attempt> _attempts = new();
    private readonly ConcurrentDictionary<string, int> _failures = new();

    public IReadOnlyCollection<ReceivedMessage> Handled => _handled;

    /// <summary>Every call, handled or failed, in order.</summary>
    public IReadOnlyCollection<Attempt> Attempts => _attempts;

    /// <summary>Optional work per message, to keep a consumer busy.</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>With DEDUPE: a transactional effect per message, HINCRBY of its id in <c>{base}:effects:</c><see cref="EffectKey"/>.</summary>
    public bool AddEffect { get; set; }

    public const string EffectKey = "handled-ids";

    /// <summary>Fault injection: fail messages whose content contains this text.</summary>
    public string? FailOn { get; set; }

    /// <summary>With <see cref="FailOn"/>: fail only a message's first this many attempts (0: every attempt).</summary>
    public int FailTimes { get; set; }

    public IEnumerable<string> Ids(MessageSource source) => _handled.Where(m => m.Source == source).Select(m => m.Message.Id);

    public int Count(MessageSource source) => _handled.Count(m => m.Source == source);

    public async ValueTask HandleAsync(ReceivedMessage message, CancellationToken cancellationToken)
    {
        var at = DateTimeOffset.UtcNow;
        if (FailOn is { } marker && message.Message.Content.Contains(marker, StringComparison.Ordinal)
            && (FailTimes == 0 || _failures.AddOrUpdate(message.Message.Id, 1, (_, n) => n + 1) <= FailTimes))
        {
            _attempts.Enqueue(new(message, at, Failed: true));
            throw new InvalidOperationException($"the content contains the marker '{marker}'");
        }

        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay, cancellationToken);
        }

        if (AddEffect && message.Effects is { } effects)
        {
            effects.HashIncrement(effects.Key(EffectKey), message.Message.Id);
        }

        _attempts.Enqueue(new(message, at, Failed: false));
        _handled.Enqueue(message);
    }

    /// <summary>One call of the handler: the message, when it began, and whether it failed.</summary>
    public sealed record Attempt(ReceivedMessage Received, DateTimeOffset At, bool Failed);
}
