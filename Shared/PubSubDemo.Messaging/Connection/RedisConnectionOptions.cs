using StackExchange.Redis;

namespace PubSubDemo.Messaging.Connection;

/// <summary>Where the server is and how to reach it: the client's options, the address as written, and the certificate check when TLS is on.</summary>
internal class RedisConnectionOptions
{
    public ConfigurationOptions Options { get; set; } = new();

    public string Address { get; set; } = "localhost:6379";

    /// <summary>The server-certificate check when TLS is on: it knows why the last certificate was refused.</summary>
    public ServerCertificateCheck? CertificateCheck { get; set; }

    /// <summary>A connection the application made (Aspire's <c>AddRedisClient</c>, its own): used as it is, never closed here.</summary>
    public IConnectionMultiplexer? Multiplexer { get; set; }

    /// <summary>
    /// A server that cannot serve the settings: false (the demo hosts) prints one <c>error:</c> line each and stops the
    /// host for exit 2; true (the library) faults the connection with those lines, for the application to see.
    /// </summary>
    public bool ThrowOnRefusal { get; set; }
}
