using System.Reflection;
using Xunit.Abstractions;

namespace PubSubDemo.IntegrationTests;

/// <summary>
/// samples/Shop: seed 001's shop on the library, typed Order and Shipment messages on two streams, each consuming
/// service in a group of its own, as real processes. The producers run first and the consumers after: a service that
/// was not running yet still gets every message, which the seed's pub/sub could not promise.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ShopSampleTests(RedisServerFixture server, ITestOutputHelper output)
{
    [Fact]
    public async Task Orders_reach_the_shipping_and_the_notification_service_and_shipments_only_the_notification_service_even_when_they_start_late()
    {
        output.WriteLine($"Server: {server.Description}");
        const int count = 12;
        var environment = new Dictionary<string, string?>
        {
            ["REDIS_ADDR"] = server.Address,
            ["ORDER_TOPIC"] = TestNames.Unique("order"),
            ["SHIPMENT_TOPIC"] = TestNames.Unique("shipment"),
            ["MESSAGE_COUNT"] = $"{count}",
            ["ORDER_INTERVAL_MS"] = "20",
            ["SHIPMENT_INTERVAL_MS"] = "20",
        };
        var processes = new List<ServiceProcess>();
        try
        {
            var orders = Start(processes, environment, "order-service");
            var shipments = Start(processes, environment, "shipping-service");
            Assert.Equal(0, await orders.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            Assert.Equal(0, await shipments.WaitForExitAsync(TimeSpan.FromSeconds(60)));

            var shipping = Start(processes, environment, "shipping-consumer");
            var notification = Start(processes, environment, "notification-service");
            var ids = Enumerable.Range(1, count).Select(n => $"order-{n}").ToList();
            await Wait.UntilAsync(() => Lines(shipping, "[shipping] order ").Count == count, $"the shipping consumer prints {count} orders", TimeSpan.FromSeconds(60));
            await Wait.UntilAsync(() => Lines(notification, "[notification] order ").Count == count && Lines(notification, "[notification] shipment ").Count == count,
                $"the notification service prints {count} orders and {count} shipments", TimeSpan.FromSeconds(60));

            // Each order once, in order (one stream partition, keyed by order id); no shipment at the shipping consumer.
            Assert.Equal(ids, Lines(shipping, "[shipping] order ").Select(l => l.Split(' ')[2].TrimEnd(':')).ToList());
            Assert.Equal(ids, Lines(notification, "[notification] order ").Select(l => l.Split(' ')[2]).ToList());
            Assert.Empty(Lines(shipping, "[notification]"));
            Assert.Contains(Lines(notification, "[notification] shipment "), l => l.EndsWith("of order order-4: delivered", StringComparison.Ordinal));
        }
        finally
        {
            foreach (var process in processes)
            {
                process.Terminate();
                await process.WaitForExitAsync(TimeSpan.FromSeconds(30));
                output.WriteLine(string.Join(Environment.NewLine, process.Output));
                await process.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task An_unknown_role_is_one_line_that_names_the_roles_and_exit_code_2()
    {
        await using var process = ServiceProcess.StartExecutable("dotnet", new Dictionary<string, string?>(), ShopDll(), "warehouse");
        Assert.Equal(2, await process.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(["error: role 'warehouse' is not known; use order-service, shipping-service, shipping-consumer or notification-service"], process.ErrorOutput);
    }

    private static ServiceProcess Start(List<ServiceProcess> processes, Dictionary<string, string?> environment, string role)
    {
        var process = ServiceProcess.StartExecutable("dotnet", environment, ShopDll(), role);
        processes.Add(process);
        return process;
    }

    private static List<string> Lines(ServiceProcess process, string prefix) =>
        [.. process.Output.Where(l => l.StartsWith(prefix, StringComparison.Ordinal))];

    private static string ShopDll()
    {
        var configuration = typeof(ShopSampleTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var dll = Repository.File(Path.Combine("samples", "Shop", "bin", configuration, "net10.0", "PubSubDemo.Shop.dll"));
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build samples/Shop first ({configuration})", dll);
    }
}
