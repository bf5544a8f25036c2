using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Messaging.Configuration;

namespace PubSubDemo.AppHost;

/// <summary>The server the services are given: its address for REDIS_ADDR, and the resource to wait for when we started it.</summary>
internal sealed record DemoServer(ReferenceExpression Address, IResourceBuilder<IResource>? Resource);

/// <summary>
/// Picks the server as the compose file and scripts/demo.sh do: REDIS_ADDR (or REDIS_HOST) set means that server and
/// none is started; else DragonFly in a container where a container runtime answers; else a private redis-server on
/// a free loopback port. APPHOST_SERVER=dragonfly|redis-server skips the probe.
/// </summary>
internal static class DemoServerBuilder
{
    public const string ResourceName = "server";

    /// <summary>The image the compose file pins: a moving tag would change the server under the demo without a commit.</summary>
    public const string DragonflyRegistry = "docker.dragonflydb.io";
    public const string DragonflyImage = "dragonflydb/dragonfly";
    public const string DragonflyTag = "v1.34.2";

    public static async Task<DemoServer?> AddServerAsync(this IDistributedApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        if (ExternalAddress(configuration) is { } external)
        {
            Say($"server: {RedisAddress.Redact(external)} (from {EnvironmentNames.RedisAddr}; none started)");
            return new DemoServer(ReferenceExpression.Create($"{external}"), null);
        }

        var choice = configuration[EnvironmentNames.AppHostServer]?.Trim().ToLowerInvariant() ?? "auto";
        if (choice == "redis-server")
        {
            return AddRedisServer(builder, $"chosen with {EnvironmentNames.AppHostServer}");
        }

        if (choice is not ("auto" or "dragonfly"))
        {
            return Refuse($"{EnvironmentNames.AppHostServer}='{choice}' is not valid: use auto, dragonfly or redis-server.");
        }

        var probe = await ContainerRuntime.ProbeAsync(configuration);
        if (probe.Runtime is { } runtime)
        {
            // DCP asks docker unless told otherwise; a machine with only Podman must say so.
            configuration["ASPIRE_CONTAINER_RUNTIME"] ??= runtime;
            return AddDragonfly(builder, probe.Reason);
        }

        // Without an engine DCP would leave the container "runtime unhealthy" and the services waiting for it forever.
        return choice == "dragonfly"
            ? Refuse($"{EnvironmentNames.AppHostServer}=dragonfly needs a container runtime, and {probe.Reason}.")
            : AddRedisServer(builder, probe.Reason);
    }

    private static DemoServer? Refuse(string problem)
    {
        Console.Error.WriteLine($"error: {problem}");
        return null;
    }

    private static string? ExternalAddress(ConfigurationManager configuration)
    {
        if (configuration[EnvironmentNames.RedisAddr] is { Length: > 0 } address)
        {
            return address;
        }

        return configuration[EnvironmentNames.RedisHost] is { Length: > 0 } host
            ? $"{host}:{configuration[EnvironmentNames.RedisPort] ?? "6379"}"
            : null;
    }

    private static DemoServer AddDragonfly(IDistributedApplicationBuilder builder, string why)
    {
        var server = builder.AddContainer(ResourceName, DragonflyImage, DragonflyTag)
            .WithImageRegistry(DragonflyRegistry)
            .WithContainerRuntimeArgs("--ulimit", "memlock=-1")
            .WithEndpoint(targetPort: 6379, name: "tcp", scheme: "tcp");
        var address = ReferenceExpression.Create($"{server.GetEndpoint("tcp").Property(EndpointProperty.HostAndPort)}");
        Say($"server: DragonFly {DragonflyTag} in a container ({why} answers)");
        return new DemoServer(address, WithPing(builder, server, address));
    }

    private static DemoServer? AddRedisServer(IDistributedApplicationBuilder builder, string why)
    {
        if (FindOnPath("redis-server") is not { } executable)
        {
            return Refuse($"no server to start ({why}) and no redis-server: install it (apt-get install -y redis-server), " +
                $"start a container runtime, or set {EnvironmentNames.RedisAddr}=host:port.");
        }

        // Chosen here rather than by DCP so that it can be on redis-server's command line; not proxied, since the
        // services hold long-lived connections and a blocked one must not wait on a proxy.
        // No persistence (--save "", no append-only file), so it writes nothing into its working directory.
        var port = FreeLoopbackPort();
        var server = builder.AddExecutable(ResourceName, executable, Path.GetTempPath(),
                "--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no")
            .WithEndpoint(port: port, targetPort: port, name: "tcp", scheme: "tcp", isProxied: false);
        var address = ReferenceExpression.Create($"127.0.0.1:{port.ToString()}");
        Say($"server: redis-server on 127.0.0.1:{port} ({why})");
        return new DemoServer(address, WithPing(builder, server, address));
    }

    /// <summary>The server counts as healthy once it answers PING, so the services start against a server that is up.</summary>
    private static IResourceBuilder<IResource> WithPing<T>(IDistributedApplicationBuilder builder, IResourceBuilder<T> server, ReferenceExpression address)
        where T : IResource
    {
        var check = $"{ResourceName}-ping";
        builder.Services.AddHealthChecks().Add(new(check, _ => new PingHealthCheck(address), failureStatus: null, tags: null));
        return (IResourceBuilder<IResource>)server.WithHealthCheck(check);
    }

    private static string? FindOnPath(string name) => (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Append("/usr/bin").Append("/usr/sbin").Append("/usr/local/bin")
        .Select(directory => Path.Combine(directory, name))
        .FirstOrDefault(File.Exists);

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Say(string line) => Console.WriteLine($"pubsubdemo: {line}");
}
