using PubSubDemo.Monitor;
using PubSubDemo.Shared.Connection;
using PubSubDemo.Messaging.Connection;
using PubSubDemo.Shared.Hosting;

var builder = WebApplication.CreateSlimBuilder(args);
builder.AddServiceDefaults();
builder.AddRedis();
builder.AddMonitor();
var app = builder.Build();
app.MapMonitor();
return await app.RunServiceAsync();
