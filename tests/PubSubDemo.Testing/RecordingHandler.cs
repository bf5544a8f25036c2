using System.Collections.Concurrent;
using PubSubDemo.Subscriber.Processing;

namespace PubSubDemo.Testing;

/// <summary>A real handler that remembers what it handled, so a test can count every message by id.</summary>
public sealed class RecordingHandler : IMessageHandler
{
    private readonly ConcurrentQueue<ReceivedMessage> _handled = new();

    public IReadOnlyCollection<ReceivedMessage> Handled => _handled;

    /// <summary>Optional work per message, to keep a consumer busy.</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>With DEDUPE: a transactional effect per message, HINCRBY of its id in <c>{base}:effects:</c><see cref="EffectKey"/>.</summary>
    public bool AddEffect { get; set; }

    public const string EffectKey = "handled-ids";

    public IEnumerable<string> Ids(MessageSource source) => _handled.Where(m => m.Source == source).Select(m => m.Message.Id);

    public int Count(MessageSource source) => _handled.Count(m => m.Source == source);

    public async ValueTask HandleAsync(ReceivedMessage message, CancellationToken cancellationToken)
    {
        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay, cancellationToken);
        }

        if (AddEffect && message.Effects is { } effects)
        {
            effects.HashIncrement(effects.Key(EffectKey), message.Message.Id);
        }

        _handled.Enqueue(message);
    }
}
