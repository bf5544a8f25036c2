namespace PubSubDemo.IntegrationTests;

/// <summary>Seed 001's shop as the compose profile `shop`, validated offline: two publishers and two subscribers on their topics.</summary>
public sealed partial class ComposeFileTests
{
    [Fact]
    public async Task The_shop_profile_runs_an_order_and_a_shipping_publisher_a_shipping_consumer_and_a_notification_service_on_their_topics()
    {
        var command = await FindComposeAsync() ?? throw new Xunit.Sdk.XunitException(
            "docker-compose is not installed, so the compose file cannot be validated: install it (apt-get install docker-compose); scripts/test.sh installs it.");
        output.WriteLine($"Server: none (validated offline); {string.Join(' ', command)} -f docker-compose.yml --profile shop config");

        var (exitCode, merged) = await RunAsync(command, ["-f", ComposeFile, "--profile", "shop", "config"]);
        Assert.True(exitCode == 0, $"config with the shop profile exited with {exitCode}:\n{merged}");
        var services = Services(merged.Split('\n'));
        foreach (var (name, service, channel) in new[]
        {
            ("order-service", "Publisher", "order"),
            ("shipping-service", "Publisher", "shipment"),
            ("shipping-consumer", "Subscriber", "order"),
            ("notification-service", "Subscriber", "order,shipment"),
        })
        {
            Assert.True(services.ContainsKey(name), $"the shop profile has no service {name}");
            var lines = services[name].Select(l => l.Trim()).ToList();
            Assert.Contains($"SERVICE: {service}", lines);
            Assert.Contains($"CHANNEL: {channel}", lines);
            Assert.Contains("PATTERN: pubsub", lines);
            Assert.Contains($"INSTANCE_NAME: {name}", lines);
            Assert.Contains("- shop", lines);
            Assert.Contains(Block(services[name], "depends_on"), l => l.Trim() == "dragonfly:");
        }
    }
}
