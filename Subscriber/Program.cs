using Microsoft.Extensions.Hosting;
using PubSubDemo.Shared.Connection;
using PubSubDemo.Messaging.Connection;
using PubSubDemo.Shared.Hosting;
using PubSubDemo.Subscriber;
using PubSubDemo.Subscriber.Observability;

var builder = Host.CreateApplicationBuilder(ServiceDefaults.Settings(args));
builder.AddServiceDefaults();
builder.AddRedis();
builder.AddSubscriber();
builder.AddSubscriberObservability();
return await builder.Build().RunServiceAsync();
