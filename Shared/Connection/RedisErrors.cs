using StackExchange.Redis;

namespace PubSubDemo.Shared.Connection;

/// <summary>Which failures mean "the server is away for now, try again" rather than a bug to surface.</summary>
public static class RedisErrors
{
    public static bool IsTransient(Exception ex) =>
        ex is RedisConnectionException or RedisTimeoutException or TimeoutException
        || (ex is RedisServerException server && (
            server.Message.StartsWith("LOADING", StringComparison.Ordinal) ||
            server.Message.StartsWith("BUSY ", StringComparison.Ordinal) ||
            server.Message.StartsWith("READONLY", StringComparison.Ordinal) ||
            server.Message.StartsWith("MASTERDOWN", StringComparison.Ordinal)));

    /// <summary>
    /// Runs <paramref name="action"/> until it succeeds, logging each transient failure through <paramref name="onRetry"/>;
    /// the pauses are <see cref="ServerRetry"/>'s, from <see cref="ServerRetry.DefaultFloor"/> to <see cref="ServerRetry.DefaultCeiling"/>.
    /// </summary>
    public static Task RetryAsync(Func<Task> action, Action<string, TimeSpan> onRetry, TimeProvider time, CancellationToken cancellationToken) =>
        new ServerRetry(ServerRetry.DefaultFloor, ServerRetry.DefaultCeiling, time).RunAsync(_ => new ValueTask(action()), onRetry, cancellationToken);
}
