using PubSubDemo.Subscriber.Processing;

namespace PubSubDemo.Subscriber.Observability;

/// <summary>
/// Wraps the registered handler: records the latency of every handled message in the histogram and the monitor's
/// window, and tells the watchdog while a call runs. A handler that completes synchronously costs no allocation.
/// </summary>
internal sealed class MeasuringMessageHandler(IMessageHandler inner, SubscriberMetrics metrics, TimeProvider time) : IMessageHandler
{
    public ValueTask HandleAsync(ReceivedMessage message, CancellationToken cancellationToken)
    {
        metrics.Watchdog.Enter(message.Source, time.GetTimestamp());
        ValueTask pending;
        try
        {
            pending = inner.HandleAsync(message, cancellationToken);
        }
        catch
        {
            metrics.Watchdog.Exit(message.Source);
            throw;
        }

        if (!pending.IsCompleted)
        {
            return AwaitAsync(pending, message);
        }

        try
        {
            pending.GetAwaiter().GetResult();
        }
        finally
        {
            metrics.Watchdog.Exit(message.Source);
        }

        metrics.RecordLatency(message.Source, message.Latency);
        return default;
    }

    private async ValueTask AwaitAsync(ValueTask pending, ReceivedMessage message)
    {
        try
        {
            await pending;
        }
        finally
        {
            metrics.Watchdog.Exit(message.Source);
        }

        metrics.RecordLatency(message.Source, message.Latency);
    }
}
