namespace PubSubDemo.Messaging.Retries;

/// <summary>
/// Waits in memory until a channel message is due. Pub/sub keeps nothing on the server, so a delayed channel message
/// waits in the subscriber, in arrival order (the channel keeps order: one due later holds up those behind it).
/// </summary>
internal static class DueWait
{
    public static async Task UntilAsync(DateTimeOffset due, TimeProvider time, CancellationToken cancellationToken)
    {
        // Timers may fire a little early; loop until the clock agrees, so nothing is handled before its due time.
        for (var left = due - time.GetUtcNow(); left > TimeSpan.Zero; left = due - time.GetUtcNow())
        {
            await Task.Delay(left < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : left, time, cancellationToken);
        }
    }
}
