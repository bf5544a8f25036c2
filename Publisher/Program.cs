using Microsoft.Extensions.Hosting;
using PubSubDemo.Publisher;
using PubSubDemo.Publisher.Observability;
using PubSubDemo.Shared.Connection;
using PubSubDemo.Messaging.Connection;
using PubSubDemo.Shared.Hosting;

var builder = Host.CreateApplicationBuilder(ServiceDefaults.Settings(args));
builder.AddServiceDefaults();
builder.AddRedis();
builder.AddPublisher();
builder.AddPublisherObservability();
return await builder.Build().RunServiceAsync();
