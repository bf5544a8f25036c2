using PubSubDemo.AppHost;

// The whole demo for `dotnet run --project AppHost`: a server, one publisher, three subscribers and the monitor,
// all in the Aspire dashboard. Which server is used is decided (and printed) by AddServerAsync. DEMO_SCENARIO=orders
// runs samples/Orders' order and stock services (the outbox and the inbox) instead.
var builder = DistributedApplication.CreateBuilder(args);
if (!builder.TryScenario(out var orders) || await builder.AddServerAsync() is not { } server)
{
    return 2;
}

if (orders)
{
    builder.AddOrdersServices(server);
}
else if (!builder.AddDemoServices(server))
{
    return 2;
}

await builder.Build().RunAsync();
return 0;
