namespace PubSubDemo.Subscriber.Processing;

/// <summary>
/// The demo's handler: optional simulated work (HANDLER_DELAY) and fault injection (FAIL_ON), so the
/// dead-letter and backlog behaviour can be seen without writing code.
/// </summary>
internal sealed class DemoMessageHandler(SubscriberSettings settings, TimeProvider time) : IMessageHandler
{
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
    }
}
