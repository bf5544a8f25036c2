using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace PubSubDemo.Messaging;

/// <summary>
/// Whether every consumer registered with <see cref="MessagingBuilder"/> is consuming: subscribed to its channel, or
/// subscribed to its queue's or stream's doorbell and registered on the server, so that a message sent from now on
/// reaches it. Wait on it (<see cref="WaitAsync"/>) rather than on log lines; the <c>messaging</c> health check
/// (tag <c>ready</c>) reports the same.
/// </summary>
public sealed class MessagingReadiness
{
    private readonly Lock _gate = new();
    private readonly HashSet<string> _expected = new(StringComparer.Ordinal);
    private readonly HashSet<string> _consuming = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>True once every registered consumer is consuming (and at once when none is registered).</summary>
    public bool IsReady
    {
        get
        {
            lock (_gate)
            {
                return _expected.IsSubsetOf(_consuming);
            }
        }
    }

    /// <summary>The registered consumers not consuming yet, e.g. <c>queue 'orders'</c>.</summary>
    public IReadOnlyCollection<string> Waiting
    {
        get
        {
            lock (_gate)
            {
                return [.. _expected.Except(_consuming)];
            }
        }
    }

    /// <summary>Completes once every registered consumer is consuming.</summary>
    public Task WaitAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_expected.IsSubsetOf(_consuming))
            {
                return Task.CompletedTask;
            }
        }

        return _ready.Task.WaitAsync(cancellationToken);
    }

    internal static string Queue(string name) => $"queue '{name}'";

    internal static string Stream(string name) => $"stream '{name}'";

    internal static string Channel(string name) => $"channel '{name}'";

    /// <summary>A registration: readiness waits for it from now on.</summary>
    internal void Expect(string consumer)
    {
        lock (_gate)
        {
            _expected.Add(consumer);
        }
    }

    /// <summary>A consumer (registered or not) is consuming.</summary>
    internal void Consuming(string consumer)
    {
        lock (_gate)
        {
            _consuming.Add(consumer);
            if (!_expected.IsSubsetOf(_consuming))
            {
                return;
            }
        }

        _ready.TrySetResult();
    }
}

/// <summary>The <c>messaging</c> health check: healthy once every registered consumer is consuming.</summary>
internal sealed class MessagingReadinessHealthCheck(MessagingReadiness readiness) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(readiness.Waiting is { Count: > 0 } waiting
            ? HealthCheckResult.Unhealthy($"not consuming yet: {string.Join(", ", waiting)}")
            : HealthCheckResult.Healthy("every consumer is consuming"));
}
