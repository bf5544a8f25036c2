using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Messaging.Cluster;
using PubSubDemo.Messaging.Connection;
using PubSubDemo.Messaging.Processing;
using PubSubDemo.Messaging.Selection;
using StackExchange.Redis;

namespace PubSubDemo.Messaging.Consumers;

/// <summary>
/// Pub/sub: every subscriber gets every message published while it is connected (at most once).
/// Messages are read in order from the client's ChannelMessageQueue, one at a time, never through
/// concurrent handler callbacks. CHANNEL may list several channels and globs: each entry is its own subscription
/// with its own queue and loop (a glob subscribes by pattern), and each outcome names the channel it came on.
/// </summary>
internal sealed partial class ChannelConsumer(ConsumerServices services, ILogger<ChannelConsumer> logger) : BackgroundService
{
    private readonly RedisConnection _connection = services.Connection;
    private readonly MessagingOptions _messaging = services.Messaging;
    private readonly ConsumerOptions _settings = services.Settings;
    private readonly MessageProcessor _processor = services.Processor;
    private readonly TimeProvider _time = services.Time;
    private readonly HandleRate _rate = services.Rate;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (await _connection.TryGetAsync(stoppingToken) is not { } multiplexer)
        {
            return;
        }

        // One subscription, one ordered queue and one reading loop per entry of CHANNEL: each channel keeps its order.
        // A loop that faults stops the others (each finishes what had arrived), and the worker fails as one.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var loops = _messaging.Channels.Select(entry => ConsumeAsync(multiplexer.GetSubscriber(), entry, stop.Token)).ToList();
        for (var running = loops.ToList(); running.Count > 0;)
        {
            var ended = await Task.WhenAny(running);
            running.Remove(ended);
            if (ended.IsFaulted)
            {
                await stop.CancelAsync();
            }
        }

        await Task.WhenAll(loops);
    }

    private async Task ConsumeAsync(ISubscriber subscriber, string entry, CancellationToken stoppingToken)
    {
        var channel = PubSubChannels.Subscription(_messaging, entry);
        var queue = await SubscribeAsync(subscriber, channel, entry, stoppingToken);
        if (queue is null)
        {
            return;
        }

        var glob = MessagingOptions.IsGlob(entry);
        LogSubscribed(glob ? "pattern" : "channel", entry);
        services.Readiness.Consuming(MessagingReadiness.Channel(entry));
        using var dropWatch = new SubscriptionDropWatch(subscriber.Multiplexer, queue, _processor, _time, logger);

        // A literal entry's messages all come on that channel; a glob's are reported by the channel each came on.
        var literal = glob ? null : entry;
        var database = subscriber.Multiplexer.GetDatabase();
        Task HandleAsync(ChannelMessage message, CancellationToken retryToken) =>
            ProcessAsync(database, message, literal ?? message.Channel.ToString(), retryToken);

        // Read from the queue but not yet handled: a stop while it waits for HANDLE_RATE must not lose it.
        ChannelMessage? held = null;
        long droppedSinceReport = 0;
        var lastReport = _time.GetTimestamp();
        try
        {
            while (true)
            {
                services.Heartbeat.Beat(nameof(ChannelConsumer));
                var message = await queue.ReadAsync(stoppingToken);
                dropWatch.Delivered();

                // The client buffers without limit; this bounds it. Pub/sub is at-most-once, so shedding
                // is allowed, but never silent: counted, and logged at most once per summary interval.
                if (queue.TryGetCount(out var backlog) && backlog > _settings.ChannelBuffer)
                {
                    _processor.Dropped(MessageSource.Channel, literal ?? message.Channel.ToString());
                    droppedSinceReport++;
                    if (_time.GetElapsedTime(lastReport) >= _settings.SummaryInterval)
                    {
                        LogDropped(_settings.ChannelBuffer, droppedSinceReport);
                        droppedSinceReport = 0;
                        lastReport = _time.GetTimestamp();
                    }

                    continue;
                }

                // HANDLE_RATE: the server pushes regardless; what waits stays in the client's buffer, bounded above.
                if (_rate.Limited)
                {
                    held = message;
                    await _rate.TakeAsync(1, stoppingToken);
                    held = null;
                }

                await HandleAsync(message, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
        }

        // Stop receiving, then finish what had already arrived (at once, whatever HANDLE_RATE says: the process is leaving).
        try
        {
            await queue.UnsubscribeAsync();
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogUnsubscribeFailed(ex.Message);
        }

        var drained = 0;
        // Bounds DEDUPE's waits for a server that is gone at shutdown (unused without DEDUPE).
        using var drainDeadline = new CancellationTokenSource(_settings.HeartbeatTtl);
        if (held is { } waiting)
        {
            await HandleAsync(waiting, drainDeadline.Token);
            drained++;
        }

        while (queue.TryRead(out var message))
        {
            await HandleAsync(message, drainDeadline.Token);
            drained++;
        }

        LogUnsubscribed(entry, drained);
    }

    private async Task<ChannelMessageQueue?> SubscribeAsync(ISubscriber subscriber, RedisChannel channel, string entry, CancellationToken stoppingToken)
    {
        ChannelMessageQueue? queue = null;
        try
        {
            await RedisErrors.RetryAsync(async () => queue = await Subscriptions.SubscribeOnceAsync(subscriber, channel), (reason, _) => LogSubscribeRetry(entry, reason), _time, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        return queue;
    }

    [LoggerMessage(3101, LogLevel.Information, "Subscribed to {Kind} '{Channel}'")]
    private partial void LogSubscribed(string kind, string channel);

    [LoggerMessage(3102, LogLevel.Information, "Unsubscribed from '{Channel}'; handled {Drained} messages that had already arrived")]
    private partial void LogUnsubscribed(string channel, int drained);

    [LoggerMessage(3103, LogLevel.Warning, "Channel buffer over {Capacity} messages: dropped {Dropped} since the last report (the handler is slower than the publisher)")]
    private partial void LogDropped(int capacity, long dropped);

    [LoggerMessage(3104, LogLevel.Warning, "Could not subscribe to '{Channel}' yet: {Reason}; retrying")]
    private partial void LogSubscribeRetry(string channel, string reason);

    [LoggerMessage(3105, LogLevel.Warning, "Could not unsubscribe cleanly: {Reason}")]
    private partial void LogUnsubscribeFailed(string reason);
}
