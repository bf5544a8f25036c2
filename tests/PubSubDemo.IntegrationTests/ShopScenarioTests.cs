using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace PubSubDemo.IntegrationTests;

/// <summary>
/// Seed 001's shop, as scripts/demo.sh --scenario shop and the compose profile `shop` run it, with the four services
/// as real processes: an order service on `order`, a shipping service on `shipment`, a shipping consumer on `order`
/// and a notification service on `order,shipment` (the channel names made unique for the test).
/// </summary>
[Collection(ServerCollection.Name)]
public sealed partial class ShopScenarioTests(RedisServerFixture server, ITestOutputHelper output)
{
    [Fact]
    public async Task The_shop_scenario_delivers_orders_to_both_consumers_and_shipments_only_to_the_notification_service()
    {
        output.WriteLine($"Server: {server.Description}");
        const int orders = 20;
        const int shipments = 10;
        var order = TestNames.Unique("order");
        var shipment = TestNames.Unique("shipment");
        var processes = new List<(string Name, ServiceProcess Process)>();
        try
        {
            var shipping = Start(processes, "shipping-consumer", "Subscriber", ("CHANNEL", order));
            var notification = Start(processes, "notification-service", "Subscriber", ("CHANNEL", $"{order},{shipment}"));
            await shipping.WaitForOutputAsync($"Subscribed to channel '{order}'");
            await notification.WaitForOutputAsync($"Subscribed to channel '{order}'");
            await notification.WaitForOutputAsync($"Subscribed to channel '{shipment}'");

            var orderService = Start(processes, "order-service", "Publisher", ("CHANNEL", order), ("MESSAGE_COUNT", $"{orders}"), ("PUBLISH_INTERVAL", "50ms"));
            var shippingService = Start(processes, "shipping-service", "Publisher", ("CHANNEL", shipment), ("MESSAGE_COUNT", $"{shipments}"), ("PUBLISH_INTERVAL", "100ms"));
            Assert.Equal(0, await orderService.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            Assert.Equal(0, await shippingService.WaitForExitAsync(TimeSpan.FromSeconds(60)));

            await notification.WaitForOutputAsync($"Summary channel '{order}': received {orders}, handled {orders}, filtered 0");
            await notification.WaitForOutputAsync($"Summary channel '{shipment}': received {shipments}, handled {shipments}, filtered 0");
            await shipping.WaitForOutputAsync($"Summary channel: received {orders}, handled {orders}");
            shipping.Terminate();
            notification.Terminate();
            Assert.Equal(0, await shipping.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            Assert.Equal(0, await notification.WaitForExitAsync(TimeSpan.FromSeconds(30)));

            // Each consumer saw each topic it asked for, every message once and in publish order, and no other topic.
            Assert.Equal(Sequence(orders), Handled(shipping, "order-service"));
            Assert.Empty(Handled(shipping, "shipping-service"));
            Assert.Equal(Sequence(orders), Handled(notification, "order-service"));
            Assert.Equal(Sequence(shipments), Handled(notification, "shipping-service"));
            Assert.True(notification.Printed($"Final summary channel '{shipment}': received {shipments}, handled {shipments}"));
        }
        finally
        {
            foreach (var (name, process) in processes)
            {
                output.WriteLine($"--- {name}");
                foreach (var line in process.Output)
                {
                    output.WriteLine(line);
                }

                await process.DisposeAsync();
            }
        }
    }

    private ServiceProcess Start(List<(string, ServiceProcess)> processes, string name, string service, params (string Name, string Value)[] settings)
    {
        var environment = new Dictionary<string, string?>
        {
            ["REDIS_ADDR"] = server.Address,
            ["PATTERN"] = "pubsub",
            ["INSTANCE_NAME"] = name,
            ["SUMMARY_INTERVAL"] = "1s",
            ["LOG_MESSAGES"] = "true",
        };
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }

        var process = ServiceProcess.Start(service, environment);
        processes.Add((name, process));
        return process;
    }

    private static List<long> Sequence(int count) => [.. Enumerable.Range(1, count).Select(n => (long)n)];

    /// <summary>The sequence numbers a subscriber's per-message lines show for one sender, in the order handled.</summary>
    private static List<long> Handled(ServiceProcess subscriber, string sender) =>
        [.. subscriber.Output.Select(line => HandledLine().Match(line)).Where(m => m.Success && m.Groups["sender"].Value.StartsWith(sender + "-", StringComparison.Ordinal))
            .Select(m => long.Parse(m.Groups["seq"].Value, System.Globalization.CultureInfo.InvariantCulture))];

    [GeneratedRegex(@"\(ID: (?<sender>[^ )]+)-(?<seq>\d+)\) \[Received #")]
    private static partial Regex HandledLine();
}
