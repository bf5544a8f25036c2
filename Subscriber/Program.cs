using Microsoft.Extensions.Hosting;
using PubSubDemo.Shared.Connection;
using PubSubDemo.Shared.Hosting;
using PubSubDemo.Subscriber;

var builder = Host.CreateApplicationBuilder(args);
builder.AddServiceDefaults();
builder.AddRedis();
builder.AddSubscriber();
return await builder.Build().RunServiceAsync();
