namespace PubSubDemo.Messaging.Consumers;

/// <summary>
/// An auto-reset signal that remembers one wake-up: a doorbell that rings while the consumer is busy
/// makes its next wait return at once, so no push is missed between "queue empty" and "waiting".
/// </summary>
internal sealed class WakeSignal : IDisposable
{
    private readonly SemaphoreSlim _semaphore = new(0, 1);

    public void Set()
    {
        try
        {
            if (_semaphore.CurrentCount == 0)
            {
                _semaphore.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // Already set by a concurrent ring: one wake-up is all that is needed.
        }
        catch (ObjectDisposedException)
        {
            // A late doorbell after shutdown.
        }
    }

    /// <summary>Returns true when rung, false after <paramref name="timeout"/>, whichever comes first.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _semaphore.WaitAsync(timeout, cancellationToken);

    public void Dispose() => _semaphore.Dispose();
}
