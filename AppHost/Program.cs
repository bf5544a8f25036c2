using PubSubDemo.AppHost;

// The whole demo for `dotnet run --project AppHost`: a server, one publisher, three subscribers and the monitor,
// all in the Aspire dashboard. Which server is used is decided (and printed) by AddServerAsync.
var builder = DistributedApplication.CreateBuilder(args);
if (await builder.AddServerAsync() is not { } server || !builder.AddDemoServices(server))
{
    return 2;
}

await builder.Build().RunAsync();
return 0;
