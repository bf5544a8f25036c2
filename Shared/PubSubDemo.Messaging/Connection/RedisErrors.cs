using StackExchange.Redis;

namespace PubSubDemo.Messaging.Connection;

/// <summary>Which failures mean "the server is away for now, try again" rather than a bug to surface.</summary>
internal static class RedisErrors
{
    /// <summary>
    /// Connection loss and time-outs; a server still loading or busy; and what a Redis Cluster answers while it
    /// changes shape, which the client does not follow by itself: READONLY (a demoted primary), CLUSTERDOWN (a slot
    /// unserved between a primary's death and its replica's promotion), TRYAGAIN (a multi-key script or transaction
    /// whose keys a slot migration has split between two nodes), a redirect the client could not follow yet, and
    /// EXECABORT: a transaction whose queued command one of those refused is discarded whole, so nothing of it ran and
    /// a retry is safe (the transactions here are fixed, so no syntax error can cause it). MOVED and ASK the client
    /// follows itself; CROSSSLOT is a bug and stays one.
    /// </summary>
    public static bool IsTransient(Exception ex) =>
        ex is RedisConnectionException or RedisTimeoutException or TimeoutException
        || (ex is RedisServerException server && (
            server.Message.StartsWith("LOADING", StringComparison.Ordinal) ||
            server.Message.StartsWith("BUSY ", StringComparison.Ordinal) ||
            server.Message.StartsWith("READONLY", StringComparison.Ordinal) ||
            server.Message.StartsWith("MASTERDOWN", StringComparison.Ordinal) ||
            server.Message.StartsWith("CLUSTERDOWN", StringComparison.Ordinal) ||
            server.Message.StartsWith("TRYAGAIN", StringComparison.Ordinal) ||
            server.Message.StartsWith("EXECABORT", StringComparison.Ordinal) ||
            server.Kind == RedisErrorKind.UnknownRedirectTarget));

    /// <summary>
    /// Runs <paramref name="action"/> until it succeeds, logging each transient failure through <paramref name="onRetry"/>;
    /// the pauses are <see cref="ServerRetry"/>'s, from <see cref="ServerRetry.DefaultFloor"/> to <see cref="ServerRetry.DefaultCeiling"/>.
    /// </summary>
    /// <remarks>
    /// The consumers call this once per round, so the policy (two Polly pipelines) is built once per clock and reused:
    /// building it per call cost more CPU than a quiet round's own work.
    /// </remarks>
    public static Task RetryAsync(Func<Task> action, Action<string, TimeSpan> onRetry, TimeProvider time, CancellationToken cancellationToken) =>
        Policies.GetValue(time, static time => new ServerRetry(ServerRetry.DefaultFloor, ServerRetry.DefaultCeiling, time))
            .RunAsync(_ => new ValueTask(action()), onRetry, cancellationToken);

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<TimeProvider, ServerRetry> Policies = new();
}
