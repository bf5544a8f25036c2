namespace PubSubDemo.Messaging;

/// <summary>How the engine reaches the server, when the application has not registered its own connection.</summary>
public sealed class RedisMessagingOptions
{
    /// <summary>
    /// The server: <c>host:port</c>, a StackExchange.Redis configuration string (<c>host:6379,password=…,ssl=true</c>) or a
    /// <c>redis://</c> / <c>rediss://</c> URL. Ignored when an <c>IConnectionMultiplexer</c> is registered in DI
    /// (Aspire's <c>AddRedisClient</c>, or the application's own): the engine then uses that one.
    /// </summary>
    public string ConnectionString { get; set; } = "localhost:6379";

    /// <summary>This process's name on the server (client name, consumer name unless a consumer sets its own); unique per process by default.</summary>
    public string? InstanceName { get; set; }
}
