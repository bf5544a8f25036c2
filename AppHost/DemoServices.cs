using System.Reflection;
using Microsoft.Extensions.Configuration;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Messaging.Configuration;

namespace PubSubDemo.AppHost;

/// <summary>The publisher, the subscribers and the monitor as project resources, wired to the server.</summary>
internal static class DemoServices
{
    /// <summary>
    /// The names under which each process must be itself: one value shared by every replica would give them one
    /// consumer name, one metrics port, one stats file. OTEL_* belong to Aspire, which points them at the dashboard;
    /// the AppHost's own settings stay with it.
    /// </summary>
    private static readonly HashSet<string> PerProcess = new(StringComparer.Ordinal)
    {
        EnvironmentNames.RedisAddr, EnvironmentNames.RedisHost, EnvironmentNames.RedisPort,
        EnvironmentNames.InstanceName, EnvironmentNames.ConsumerName,
        "METRICS_PORT", "MONITOR_PORT", "STATS_FILE",
        EnvironmentNames.AppHostServer, EnvironmentNames.Subscribers,
    };

    /// <summary>False (after one line on stderr) when SUBSCRIBERS or MONITOR_PORT is not a number the AppHost can use.</summary>
    public static bool AddDemoServices(this IDistributedApplicationBuilder builder, DemoServer server)
    {
        if (!TryCount(builder.Configuration, EnvironmentNames.Subscribers, 3, 1, 64, out var subscribers)
            || !TryCount(builder.Configuration, "MONITOR_PORT", null, 1, 65535, out var monitorPort))
        {
            return false;
        }

        // Resource names are the services' own OpenTelemetry service names, so the dashboard files each process's
        // logs and metrics under its resource.
        builder.AddProject<Projects.PubSubDemo_Publisher>("pubsubdemo-publisher")
            .WithDemoEnvironment(builder.Configuration, server);

        // WithReplicas: the Aspire form of `docker compose up --scale subscriber=3`.
        builder.AddProject<Projects.PubSubDemo_Subscriber>("pubsubdemo-subscriber")
            .WithReplicas(subscribers!.Value)
            .WithDemoEnvironment(builder.Configuration, server);

        // MONITOR_PORT set for the AppHost picks the page's port on the host, as in the compose file.
        builder.AddProject<Projects.PubSubDemo_Monitor>("pubsubdemo-monitor")
            .WithHttpEndpoint(port: monitorPort, env: "MONITOR_PORT")
            .WithHttpHealthCheck("/health/ready")
            .WithDemoEnvironment(builder.Configuration, server);
        return true;
    }

    /// <summary>A whole number in range, the default when unset; a bad value gets the services' one-line error.</summary>
    private static bool TryCount(ConfigurationManager configuration, string name, int? fallback, int min, int max, out int? value)
    {
        value = fallback;
        if (configuration[name] is not { Length: > 0 } text)
        {
            return true;
        }

        if (int.TryParse(text, out var parsed) && parsed >= min && parsed <= max)
        {
            value = parsed;
            return true;
        }

        Console.Error.WriteLine($"error: {name}='{text}' is not valid: use a whole number from {min} to {max}.");
        return false;
    }

    private static IResourceBuilder<ProjectResource> WithDemoEnvironment(
        this IResourceBuilder<ProjectResource> project, ConfigurationManager configuration, DemoServer server)
    {
        project.WithEnvironment(EnvironmentNames.RedisAddr, server.Address);

        // Each process takes the name of its replica as the dashboard shows it (the suffix DCP gives it), so a line
        // in the monitor, a consumer name on the server and a replica in the dashboard all read the same.
        project.WithEnvironment(EnvironmentNames.InstanceName, "{{- index .Annotations \"otel-service-instance-id\" -}}");
        foreach (var name in PassedThrough())
        {
            if (configuration[name] is { } value)
            {
                project.WithEnvironment(name, value);
            }
        }

        return server.Resource is { } resource ? project.WaitFor(resource) : project;
    }

    /// <summary>Every variable the services read (the catalogue in Shared), less the per-process ones.</summary>
    private static IEnumerable<string> PassedThrough() => typeof(EnvironmentNames)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(field => field.IsLiteral && field.FieldType == typeof(string))
        .Select(field => (string)field.GetRawConstantValue()!)
        .Where(name => !PerProcess.Contains(name) && !name.StartsWith("OTEL_", StringComparison.Ordinal));
}
