using PubSubDemo.Messaging;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Shared.Observability;
using PubSubDemo.Messaging.Observability;
using PubSubDemo.Messaging.Processing;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace PubSubDemo.IntegrationTests;

/// <summary>
/// Traces that follow each message: the real hosts in this process, an <see cref="ActivityListener"/> standing in
/// for the OpenTelemetry SDK. The collection runs its tests one at a time, so a listener of one test is never
/// there during another's "nobody listens".
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class TracingTests(RedisServerFixture server, ITestOutputHelper output)
{
    [Theory]
    [InlineData("pubsub", MessageSource.Channel)]
    [InlineData("queue", MessageSource.Queue)]
    [InlineData("stream", MessageSource.Stream)]
    public async Task Each_message_is_processed_in_a_consumer_span_whose_parent_is_the_producer_span_of_the_same_message(string pattern, MessageSource source)
    {
        output.WriteLine($"Server: {server.Description}");
        const int count = 3;
        var destination = TestNames.Unique("traced");
        var settings = new Dictionary<string, string?> { ["PATTERN"] = pattern, ["CHANNEL"] = destination, ["QUEUE"] = destination, ["STREAM"] = destination };
        using var spans = new SpanRecorder();
        var handler = new RecordingHandler();
        await using var hosts = new ServiceHostGroup(output);
        var subscriber = await hosts.Add("subscriber", ServiceHost.Subscriber(server.Address, settings.With(("LOG_MESSAGES", "true")), handler)).StartAndWaitConsumingAsync();
        var publisher = hosts.Add("publisher", ServiceHost.Publisher(server.Address, settings.With(("MESSAGE_COUNT", $"{count}"), ("PUBLISH_RATE", "0"))));
        await publisher.StartAsync();
        var ids = Published.Ids(publisher, count);

        await Wait.UntilAsync(() => ids.All(id => spans.Find(id, ActivityKind.Consumer) is not null), $"a consumer span for each of the {count} messages");

        foreach (var id in ids)
        {
            var send = spans.Find(id, ActivityKind.Producer);
            var process = spans.Find(id, ActivityKind.Consumer)!;
            Assert.NotNull(send);
            Assert.Equal(send.TraceId, process.TraceId);
            Assert.Equal(send.SpanId, process.ParentSpanId);
            Assert.Equal($"{destination} send", send.DisplayName);
            Assert.Equal($"{destination} process", process.DisplayName);
            AssertMessagingTags(send, destination, "send", id);
            AssertMessagingTags(process, destination, "process", id);

            // The per-message line, as before, with the trace id at its end.
            Assert.Contains(subscriber.Log.Lines, l => l.Contains($"(ID: {id}) [Received #", StringComparison.Ordinal)
                && l.Contains($" from {source.ToString().ToLowerInvariant()}] latency ", StringComparison.Ordinal)
                && l.EndsWith($" ms trace {send.TraceId.ToHexString()}", StringComparison.Ordinal));
        }

        Assert.Equal(ids, handler.Ids(source));
    }

    [Fact]
    public async Task With_nobody_listening_the_publisher_writes_no_trace_context_into_the_message()
    {
        output.WriteLine($"Server: {server.Description}");
        Assert.False(new ActivitySource(MessageTracing.SourceName).HasListeners(), "no listener from another test");
        const int count = 3;
        var queue = TestNames.Unique("untraced");
        await using var hosts = new ServiceHostGroup(output);
        var publisher = hosts.Add("publisher", ServiceHost.Publisher(server.Address, new Dictionary<string, string?> { ["PATTERN"] = "queue", ["QUEUE"] = queue, ["MESSAGE_COUNT"] = $"{count}", ["PUBLISH_RATE"] = "0" }));
        await publisher.StartAsync();
        await publisher.WaitForShutdownAsync(Wait.Default);

        var payloads = (await server.Database.ListRangeAsync(queue)).Select(v => (string)v!).ToList();
        Assert.Equal(count, payloads.Count);
        foreach (var payload in payloads)
        {
            Assert.DoesNotContain("trace", payload, StringComparison.Ordinal);
            var message = MessageReader.Read(System.Text.Encoding.UTF8.GetBytes(payload)).Message!;
            Assert.Null(message.Traceparent);

            // Exactly the JSON of a message as it was before tracing existed.
            Assert.Equal(payload, System.Text.Encoding.UTF8.GetString(MessageReader.Write(message)));
        }
    }

    [Fact]
    public async Task A_seed_000_message_without_a_trace_context_is_handled_without_a_span_or_a_trace_id()
    {
        output.WriteLine($"Server: {server.Description}");
        var channel = TestNames.Unique("seed");
        var queue = TestNames.Unique("seed");
        using var spans = new SpanRecorder();
        var handler = new RecordingHandler();
        await using var hosts = new ServiceHostGroup(output);
        var subscriber = await hosts.Add("subscriber", ServiceHost.Subscriber(server.Address, new Dictionary<string, string?> { ["PATTERN"] = "both", ["CHANNEL"] = channel, ["QUEUE"] = queue, ["IDLE_POLL"] = "100ms", ["LOG_MESSAGES"] = "true" }, handler)).StartAndWaitConsumingAsync();

        var ids = new[] { Guid.NewGuid().ToString(), Guid.NewGuid().ToString() };
        var timestamp = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        Assert.Equal(1, await server.Database.PublishAsync(RedisChannel.Literal(channel), $$"""{"id":"{{ids[0]}}","content":"Hello from seed 000","timestamp":"{{timestamp}}"}"""));
        await server.Database.ListRightPushAsync(queue, $$"""{"id":"{{ids[1]}}","content":"Hello from seed 000","timestamp":"{{timestamp}}"}""");

        await Wait.UntilAsync(() => handler.Count(MessageSource.Channel) == 1 && handler.Count(MessageSource.Queue) == 1, "the seed 000 message arrives on the channel and the queue");
        await Wait.UntilAsync(() => ids.All(id => subscriber.Log.Contains($"(ID: {id})")), "both per-message lines are logged");

        Assert.All(ids, id => Assert.Null(spans.Find(id, ActivityKind.Consumer)));
        Assert.All(ids, id => Assert.Contains(subscriber.Log.Lines, l => l.Contains($"(ID: {id})", StringComparison.Ordinal) && l.EndsWith(" ms", StringComparison.Ordinal)));
        Assert.Equal((0L, 0L), (subscriber.SubscriberStats.Channel.Malformed, subscriber.SubscriberStats.Queue.Malformed));
    }

    private static void AssertMessagingTags(Activity span, string destination, string operation, string id)
    {
        Assert.Equal("redis", span.GetTagItem(MessageTracing.SystemTag));
        Assert.Equal(destination, span.GetTagItem(MessageTracing.DestinationTag));
        Assert.Equal(operation, span.GetTagItem(MessageTracing.OperationTypeTag));
        Assert.Equal(id, span.GetTagItem(MessageTracing.MessageIdTag));
    }

    /// <summary>Listens to the message traces as the SDK would, recording every span, and keeps the ended ones.</summary>
    private sealed class SpanRecorder : IDisposable
    {
        private readonly ConcurrentQueue<Activity> _ended = new();
        private readonly ActivityListener _listener;

        public SpanRecorder()
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == MessageTracing.SourceName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = _ended.Enqueue,
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public Activity? Find(string messageId, ActivityKind kind) =>
            _ended.FirstOrDefault(a => a.Kind == kind && (string?)a.GetTagItem(MessageTracing.MessageIdTag) == messageId);

        public void Dispose() => _listener.Dispose();
    }
}
