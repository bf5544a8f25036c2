namespace PubSubDemo.Messaging.Retries;

/// <summary>
/// How long a failed item waits before its next attempt: RETRY_BACKOFF doubled per failed attempt, capped at
/// RETRY_BACKOFF_MAX, with "equal jitter" (half of it fixed, the other half random), so consumers that failed many
/// items at once do not retry them in one burst, and no retry comes sooner than half its step. Computed from the attempt
/// count alone, which the server keeps, so any consumer schedules the same way. Written here rather than taken from
/// Polly, whose delay generator is internal to its retry strategy; this one is a pure function of three numbers.
/// </summary>
internal static class RetryBackoff
{
    /// <summary>The wait after failed attempt number <paramref name="attempts"/> (1 for the first failure).</summary>
    public static TimeSpan After(long attempts, TimeSpan backoff, TimeSpan max, Random random)
    {
        if (backoff <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        // 2^(attempts-1) steps, without overflowing: past 2^40 steps every realistic cap is reached anyway.
        var doublings = (int)Math.Clamp(attempts - 1, 0, 40);
        var step = Math.Min(backoff.TotalMilliseconds * Math.Pow(2, doublings), max.TotalMilliseconds);
        return TimeSpan.FromMilliseconds((step / 2) + (random.NextDouble() * step / 2));
    }
}
