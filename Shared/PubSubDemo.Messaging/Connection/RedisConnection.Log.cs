using Microsoft.Extensions.Logging;

namespace PubSubDemo.Messaging.Connection;

/// <summary>The connection's log lines (category <c>PubSubDemo.Messaging.Connection.RedisConnection</c>).</summary>
internal sealed partial class RedisConnection
{
    [LoggerMessage(1001, LogLevel.Information, "Connecting to {Endpoint}")]
    private partial void LogConnecting(string endpoint);

    [LoggerMessage(1002, LogLevel.Information, "Connected to {Endpoint} ({Server})")]
    private partial void LogConnected(string endpoint, string server);

    [LoggerMessage(1003, LogLevel.Warning, "Waiting for the server at {Endpoint}: attempt {Attempt}, next in {Backoff}: {Reason}")]
    private partial void LogWaiting(string endpoint, int attempt, string backoff, string reason);

    [LoggerMessage(1004, LogLevel.Warning, "Lost the {ConnectionType} connection to {Endpoint} ({FailureType}): {Reason}; reconnecting with backoff")]
    private partial void LogConnectionLost(string endpoint, string connectionType, string failureType, string reason);

    [LoggerMessage(1005, LogLevel.Information, "Reconnected the {ConnectionType} connection to {Endpoint}")]
    private partial void LogConnectionRestored(string endpoint, string connectionType);

    [LoggerMessage(1006, LogLevel.Information, "Server: {Profile}")]
    private partial void LogServer(string profile);
}
