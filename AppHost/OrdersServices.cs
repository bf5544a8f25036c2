using PubSubDemo.Shared.Configuration;

namespace PubSubDemo.AppHost;

/// <summary>
/// Issue 22's orders scenario (<c>DEMO_SCENARIO=orders</c>): samples/Orders' order service and stock service as project
/// resources, the two roles of one project, on one SQLite file of this run, wired to the server.
/// </summary>
internal static class OrdersServices
{
    public const string Variable = EnvironmentNames.DemoScenario;

    /// <summary>The scenario asked for: false (after one line on stderr) when DEMO_SCENARIO names none the AppHost knows.</summary>
    public static bool TryScenario(this IDistributedApplicationBuilder builder, out bool orders)
    {
        var scenario = builder.Configuration[Variable] ?? "default";
        orders = scenario == "orders";
        if (orders || scenario == "default")
        {
            return true;
        }

        Console.Error.WriteLine($"error: {Variable}='{scenario}' is not valid: use default or orders.");
        return false;
    }

    public static void AddOrdersServices(this IDistributedApplicationBuilder builder, DemoServer server)
    {
        // A fresh database per run, as scripts/demo.sh --scenario orders has; ORDERS_DB set for the AppHost names another
        // (an SQLite path, or a PostgreSQL connection string starting with Host=).
        var database = builder.Configuration["ORDERS_DB"]
            ?? Path.Combine(Directory.CreateTempSubdirectory("pubsubdemo-orders-").FullName, "orders.db");
        foreach (var role in new[] { "order-service", "stock-service" })
        {
            var project = builder.AddProject<Projects.Orders>(role)
                .WithArgs(role)
                .WithEnvironment("REDIS_ADDR", server.Address)
                .WithEnvironment("ORDERS_DB", database);
            foreach (var name in new[] { "ORDERS_QUEUE", "ORDER_COUNT", "ORDER_RATE" })
            {
                if (builder.Configuration[name] is { } value)
                {
                    project.WithEnvironment(name, value);
                }
            }

            if (server.Resource is { } resource)
            {
                project.WaitFor(resource);
            }
        }
    }
}
