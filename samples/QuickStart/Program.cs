using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PubSubDemo.Messaging;

var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddSingleton<Tally>();
builder.Services.AddRedisMessaging(o => o.ConnectionString = builder.Configuration["REDIS_ADDR"] ?? "localhost:6379")
    .AddQueue<Order, PrintOrder>("quickstart:orders", AppJson.Default.Order);
using var host = builder.Build();
await host.StartAsync();

var orders = host.Services.GetRequiredService<IMessageProducer<Order>>();
var run = Guid.NewGuid().ToString("N")[..8];
for (var i = 1; i <= 10; i++)
{
    await orders.SendAsync(new Order($"{run}-{i}", 10m * i));
}

await host.Services.GetRequiredService<Tally>().WaitForAsync(run, 10, TimeSpan.FromSeconds(30));
await host.StopAsync();

internal sealed record Order(string OrderId, decimal Amount);

internal sealed class PrintOrder(Tally tally) : IMessageHandler<Order>
{
    public ValueTask HandleAsync(MessageContext<Order> context, CancellationToken cancellationToken)
    {
        Console.WriteLine($"Handled order {context.Message.OrderId}: {context.Message.Amount:0.00}");
        tally.Add(context.Message.OrderId);
        return ValueTask.CompletedTask;
    }
}

[JsonSerializable(typeof(Order))]
internal sealed partial class AppJson : JsonSerializerContext;
