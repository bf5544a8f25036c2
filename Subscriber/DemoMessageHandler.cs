using PubSubDemo.Subscriber.Dedupe;
using PubSubDemo.Messaging.Dedupe;

using PubSubDemo.Messaging.Processing;

namespace PubSubDemo.Subscriber;

/// <summary>
/// The demo's handler: optional simulated work (HANDLER_DELAY) and fault injection (FAIL_ON), so the
/// dead-letter and backlog behaviour can be seen without writing code. With DEDUPE=true its effect lives in Redis and
/// is applied exactly once per message id: a per-sender count (<c>{base}:effects:senders</c>, sender → messages), and
/// with DEDUPE_AUDIT=true a per-id count too (<c>{base}:effects:ids</c>), which the fault tests read.
/// </summary>
internal sealed class DemoMessageHandler(SubscriberSettings settings, TimeProvider time, DedupeSettings? dedupe = null) : IMessageHandler
{
    public const string SendersKey = "senders";
    public const string IdsKey = "ids";

    public async ValueTask HandleAsync(ReceivedMessage message, CancellationToken cancellationToken)
    {
        if (settings.FailOn is { } marker && message.Message.Content.Contains(marker, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"the content contains the FAIL_ON marker '{marker}'");
        }

        if (settings.HandlerDelay > TimeSpan.Zero)
        {
            await Task.Delay(settings.HandlerDelay, time, cancellationToken);
        }

        if (message.Effects is { } effects)
        {
            effects.HashIncrement(effects.Key(SendersKey), message.Message.Sender ?? "unknown");
            if (dedupe?.Audit == true)
            {
                effects.HashIncrement(effects.Key(IdsKey), message.Message.Id);
            }
        }
    }
}
