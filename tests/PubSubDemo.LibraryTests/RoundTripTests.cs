using Microsoft.Extensions.DependencyInjection;
using PubSubDemo.Messaging;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace PubSubDemo.LibraryTests;

/// <summary>
/// An application's own type through each pattern: sent with <see cref="IMessageProducer{T}"/>, handled by its
/// <see cref="IMessageHandler{T}"/> as itself, and on the server one flat JSON object another client can read.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class RoundTripTests(RedisServerFixture server, ITestOutputHelper output)
{
    [Fact]
    public async Task A_queued_order_is_one_flat_json_list_entry_and_arrives_as_an_order_with_its_context()
    {
        output.WriteLine($"Server: {server.Description}");
        var queue = TestNames.Unique("orders");
        var order = new Order("o-1", 12.5m);

        // A producer only, so that the entry waits in the list to be read as another client reads it.
        string id;
        await using (var producer = await TestHost.StartAsync(output, s => s.AddRedisMessaging(o => o.ConnectionString = server.Address).AddQueue(queue, TestJson.Default.Order), "producer"))
        {
            id = await producer.Producer<Order>(queue).SendAsync(order);
        }

        var entries = await server.Database.ListRangeAsync(queue);
        Wire.AssertFlatOrder(Assert.Single(entries).ToString(), id, order);

        var inbox = new Inbox<Order>();
        await using var consumer = await TestHost.StartAsync(output, s => s.AddSingleton(inbox).AddRedisMessaging(o => o.ConnectionString = server.Address)
            .AddQueue<Order, InboxHandler<Order>>(queue, TestJson.Default.Order, o => o.IdlePoll = TimeSpan.FromMilliseconds(50)), "consumer");

        await Wait.UntilAsync(() => inbox.Handled.Count == 1, "the order is handled");
        AssertContext(Assert.Single(inbox.Handled), order, id, MessageSource.Queue, queue);
    }

    [Fact]
    public async Task A_streamed_order_is_one_flat_json_entry_field_and_arrives_as_an_order_with_its_context()
    {
        output.WriteLine($"Server: {server.Description}");
        var stream = TestNames.Unique("orders");
        var order = new Order("o-2", 99.95m);
        var inbox = new Inbox<Order>();
        await using var host = await TestHost.StartAsync(output, s => s.AddSingleton(inbox).AddRedisMessaging(o => o.ConnectionString = server.Address)
            .AddStream<Order, InboxHandler<Order>>(stream, TestJson.Default.Order));

        var id = await host.Producer<Order>(stream).SendAsync(order);

        await Wait.UntilAsync(() => inbox.Handled.Count == 1, "the order is handled");
        AssertContext(Assert.Single(inbox.Handled), order, id, MessageSource.Stream, stream);
        var entry = Assert.Single(await server.Database.StreamRangeAsync(stream));
        Wire.AssertFlatOrder(entry[Wire.StreamField].ToString(), id, order);
    }

    [Fact]
    public async Task A_published_order_is_one_flat_json_message_and_arrives_as_an_order_with_its_context()
    {
        output.WriteLine($"Server: {server.Description}");
        var channel = TestNames.Unique("orders");
        var order = new Order("o-3", 1m);
        var inbox = new Inbox<Order>();
        await using var host = await TestHost.StartAsync(output, s => s.AddSingleton(inbox).AddRedisMessaging(o => o.ConnectionString = server.Address)
            .AddChannel<Order, InboxHandler<Order>>(channel, TestJson.Default.Order));

        // Another client on the same channel sees what travels.
        var raw = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var listener = await server.Client.GetSubscriber().SubscribeAsync(RedisChannel.Literal(channel));
        listener.OnMessage(m => raw.TrySetResult(m.Message.ToString()));

        var id = await host.Producer<Order>(channel).SendAsync(order);

        await Wait.UntilAsync(() => inbox.Handled.Count == 1, "the order is handled");
        AssertContext(Assert.Single(inbox.Handled), order, id, MessageSource.Channel, channel);
        Wire.AssertFlatOrder(await raw.Task.WaitAsync(Wait.Default), id, order);
        await listener.UnsubscribeAsync();
    }

    [Fact]
    public async Task An_order_pushed_by_another_client_in_the_wire_format_reaches_the_typed_handler_with_its_id()
    {
        output.WriteLine($"Server: {server.Description}");
        var queue = TestNames.Unique("orders");
        var inbox = new Inbox<Order>();
        await using var host = await TestHost.StartAsync(output, s => s.AddSingleton(inbox).AddRedisMessaging(o => o.ConnectionString = server.Address)
            .AddQueue<Order, InboxHandler<Order>>(queue, TestJson.Default.Order, o => o.IdlePoll = TimeSpan.FromMilliseconds(50)));

        await server.Database.ListRightPushAsync(queue, Wire.Order("foreign-1", "o-4", 7m));

        await Wait.UntilAsync(() => inbox.Handled.Count == 1, "the pushed order is handled");
        var context = Assert.Single(inbox.Handled);
        Assert.Equal("foreign-1", context.Id);
        Assert.Equal(new Order("o-4", 7m), context.Message);
    }

    private static void AssertContext(MessageContext<Order> context, Order order, string id, MessageSource source, string destination)
    {
        Assert.Equal(order, context.Message);
        Assert.Equal(id, context.Id);
        Assert.Equal(source, context.Source);
        Assert.Equal(destination, context.Destination);
        Assert.InRange(context.Timestamp, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow);
        Assert.Null(context.NotBefore);
        Assert.Null(context.Effects);
    }
}
