using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PubSubDemo.Messaging;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace PubSubDemo.LibraryTests;

/// <summary>
/// Options set in code or bound from an IConfiguration section reach the engine, and bad ones stop the host at start
/// with one line naming the registration, the option and what is allowed.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class OptionsTests(RedisServerFixture server, ITestOutputHelper output)
{
    [Fact]
    public async Task Queue_options_from_configuration_reach_the_engine_and_the_connection_comes_from_configuration_too()
    {
        output.WriteLine($"Server: {server.Description}");
        var queue = TestNames.Unique("configured");
        var configuration = Configuration(
            ("Redis:ConnectionString", server.Address),
            ("Orders:MaxAttempts", "1"),
            ("Orders:BatchSize", "7"),
            ("Orders:IdlePoll", "00:00:00.05"),
            ("Orders:RetryBackoff", "00:00:30"));
        var inbox = new Inbox<Order> { OnHandle = (_, _) => throw new InvalidOperationException("declined") };
        await using var host = await TestHost.StartAsync(output, s => s.AddSingleton(inbox)
            .AddRedisMessaging(configuration.GetSection("Redis"))
            .AddQueue<Order, InboxHandler<Order>>(queue, TestJson.Default.Order, configuration.GetSection("Orders")));

        var options = host.Services.GetRequiredService<IOptionsMonitor<QueueOptions>>().Get(queue);
        Assert.Equal((1, 7, TimeSpan.FromMilliseconds(50)), (options.MaxAttempts, options.BatchSize, options.IdlePoll));

        // MaxAttempts=1 from configuration: the first failure dead-letters it, with no retry after RetryBackoff's 30 s.
        var id = await host.Producer<Order>(queue).SendAsync(new Order("o-1", 1m));
        await Wait.UntilAsync(async () => await server.Database.ListLengthAsync(Wire.DeadLetters(queue)) == 1, "the failed order is dead-lettered");
        Assert.Equal([id], inbox.Calls.Select(c => c.Id));
    }

    [Theory]
    [InlineData("code")]
    [InlineData("configuration")]
    public async Task A_streams_group_and_start_from_code_or_configuration_decide_where_its_consumer_reads(string from)
    {
        output.WriteLine($"Server: {server.Description}");
        var stream = TestNames.Unique("history");
        var group = $"billing-{from}";
        var earlier = await server.Database.StreamAddAsync(stream, Wire.StreamField, Wire.Order("before-start", "o-old", 1m));
        var inbox = new Inbox<Order>();
        await using var host = await TestHost.StartAsync(output, s =>
        {
            var messaging = s.AddSingleton(inbox).AddRedisMessaging(o => o.ConnectionString = server.Address);
            _ = from == "code"
                ? messaging.AddStream<Order, InboxHandler<Order>>(stream, TestJson.Default.Order, o => (o.Group, o.StartAt) = (group, "0"))
                : messaging.AddStream<Order, InboxHandler<Order>>(stream, TestJson.Default.Order, Configuration(("Group", group), ("StartAt", "0")));
        });

        // StartAt=0: the entry added before the group existed is read; the group is the one configured.
        await Wait.UntilAsync(() => inbox.Handled.Any(c => c.Id == "before-start"), $"the entry {earlier} from before the start is handled");
        var groups = await server.Database.StreamGroupInfoAsync(stream);
        Assert.Equal([group], groups.Select(g => g.Name));
    }

    [Theory]
    [InlineData("code")]
    [InlineData("configuration")]
    public async Task A_channels_filter_from_code_or_configuration_hands_over_only_the_matching_messages(string from)
    {
        output.WriteLine($"Server: {server.Description}");
        var channel = TestNames.Unique("filtered");
        var inbox = new Inbox<Order>();
        await using var host = await TestHost.StartAsync(output, s =>
        {
            var messaging = s.AddSingleton(inbox).AddRedisMessaging(o => o.ConnectionString = server.Address);
            _ = from == "code"
                ? messaging.AddChannel<Order, InboxHandler<Order>>(channel, TestJson.Default.Order, o => o.Filter = "id^=keep")
                : messaging.AddChannel<Order, InboxHandler<Order>>(channel, TestJson.Default.Order, Configuration(("Filter", "id^=keep"), ("Buffer", "100")));
        });

        foreach (var id in new[] { "drop-1", "keep-1", "drop-2", "keep-2" })
        {
            await server.Client.GetSubscriber().PublishAsync(RedisChannel.Literal(channel), Wire.Order(id, $"o-{id}", 1m));
        }

        await Wait.UntilAsync(() => inbox.Handled.Count == 2, "the two matching messages are handled");
        Assert.Equal(["keep-1", "keep-2"], inbox.Handled.Select(c => c.Id));
    }

    [Theory]
    [InlineData("queue", "BatchSize", "0", "queue '{0}': BatchSize=0 is not valid: use 1 to 5000.")]
    [InlineData("queue", "HeartbeatTtl", "00:00:00.1", "queue '{0}': HeartbeatTtl=100ms is not valid: use at least 1s.")]
    [InlineData("stream", "StartAt", "yesterday", "stream '{0}': StartAt=yesterday is not valid: use $ (new entries only), 0 (the whole history) or a stream id")]
    [InlineData("stream", "Partitions", "0", "stream '{0}': Partitions=0 is not valid")]
    [InlineData("channel", "Filter", "colour=red", "channel '{0}': Filter=colour=red is not valid: ")]
    [InlineData("channel", "Buffer", "0", "channel '{0}': Buffer=0 is not valid")]
    public async Task A_bad_option_from_configuration_stops_the_host_at_start_naming_the_registration_and_option(string pattern, string option, string value, string expected)
    {
        var name = TestNames.Unique("invalid");
        var section = Configuration((option, value));
        await using var host = TestHost.Build(output, s =>
        {
            var messaging = s.AddRedisMessaging(o => o.ConnectionString = server.Address);
            _ = pattern switch
            {
                "queue" => messaging.AddQueue<Order, InboxHandler<Order>>(name, TestJson.Default.Order, section),
                "stream" => messaging.AddStream<Order, InboxHandler<Order>>(name, TestJson.Default.Order, section),
                _ => messaging.AddChannel<Order, InboxHandler<Order>>(name, TestJson.Default.Order, section),
            };
        });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(host.StartAsync);
        output.WriteLine(error.Message);
        Assert.Contains(string.Format(System.Globalization.CultureInfo.InvariantCulture, expected, name), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_retry_backoff_cap_below_the_backoff_set_in_code_stops_the_host_at_start()
    {
        var queue = TestNames.Unique("invalid");
        await using var host = TestHost.Build(output, s => s.AddRedisMessaging(o => o.ConnectionString = server.Address)
            .AddQueue<Order>(queue, TestJson.Default.Order, o => (o.RetryBackoff, o.RetryBackoffMax) = (TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2))));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(host.StartAsync);
        Assert.Contains($"queue '{queue}': RetryBackoffMax=2s is not valid: must be at least RetryBackoff (10s).", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_connection_string_the_client_cannot_read_stops_the_host_at_start_and_says_what_is_allowed()
    {
        await using var host = TestHost.Build(output, s => s.AddRedisMessaging(o => o.ConnectionString = "redis://localhost:notaport")
            .AddQueue<Order>(TestNames.Unique("unreachable"), TestJson.Default.Order));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(host.StartAsync);
        output.WriteLine(error.Message);
        Assert.Contains("RedisMessagingOptions.ConnectionString='redis://localhost:notaport' is not valid: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("use host:port", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Registering_the_same_queue_twice_throws_naming_it()
    {
        var queue = TestNames.Unique("twice");
        var messaging = new ServiceCollection().AddRedisMessaging().AddQueue<Order>(queue, TestJson.Default.Order);

        var error = Assert.Throws<InvalidOperationException>(() => messaging.AddQueue<Order, InboxHandler<Order>>(queue, TestJson.Default.Order));
        Assert.Contains($"queue '{queue}' is registered twice", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_message_type_whose_json_has_its_own_id_is_refused_at_registration()
    {
        var messaging = new ServiceCollection().AddRedisMessaging();

        var error = Assert.Throws<ArgumentException>(() => messaging.AddQueue<WithOwnId>(TestNames.Unique("clash"), TestJson.Default.WithOwnId));
        Assert.Contains("WithOwnId has a JSON property 'id', which the engine writes itself", error.Message, StringComparison.Ordinal);
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();
}
