using System.Security.Cryptography;

namespace PubSubDemo.Messaging.Configuration;

/// <summary>
/// Names that stay unique under <c>docker compose --scale</c> and across restarts: host name (the container id
/// under compose), process id (often 1 in a container) and a random part.
/// </summary>
internal static class InstanceNames
{
    public static string Create()
    {
        var host = Environment.MachineName.ToLowerInvariant();
        if (host.Length > 24)
        {
            host = host[..24];
        }

        return $"{host}-{Environment.ProcessId}-{RandomPart()}";
    }

    public static string RandomPart() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
}
