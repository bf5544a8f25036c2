using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Shared.Cluster;
using PubSubDemo.Shared.Connection;
using PubSubDemo.Subscriber.Processing;
using StackExchange.Redis;

namespace PubSubDemo.Subscriber.Consumers;

/// <summary>
/// Pub/sub: every subscriber gets every message published while it is connected (at most once).
/// Messages are read in order from the client's ChannelMessageQueue, one at a time, never through
/// concurrent handler callbacks. A CHANNEL with glob characters subscribes by pattern.
/// </summary>
internal sealed partial class ChannelConsumer(ConsumerServices services, ILogger<ChannelConsumer> logger) : BackgroundService
{
    private readonly RedisConnection _connection = services.Connection;
    private readonly MessagingSettings _messaging = services.Messaging;
    private readonly SubscriberSettings _settings = services.Settings;
    private readonly MessageProcessor _processor = services.Processor;
    private readonly TimeProvider _time = services.Time;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (await _connection.TryGetAsync(stoppingToken) is not { } multiplexer)
        {
            return;
        }

        var channel = PubSubChannels.Channel(_messaging);
        var queue = await SubscribeAsync(multiplexer.GetSubscriber(), channel, stoppingToken);
        if (queue is null)
        {
            return;
        }

        LogSubscribed(_messaging.ChannelIsPattern ? "pattern" : "channel", _messaging.Channel);
        using var dropWatch = new SubscriptionDropWatch(multiplexer, queue, _processor, _time, logger);
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
                    _processor.Dropped(MessageSource.Channel);
                    droppedSinceReport++;
                    if (_time.GetElapsedTime(lastReport) >= _settings.SummaryInterval)
                    {
                        LogDropped(_settings.ChannelBuffer, droppedSinceReport);
                        droppedSinceReport = 0;
                        lastReport = _time.GetTimestamp();
                    }

                    continue;
                }

                await _processor.ProcessAsync(MessageSource.Channel, (ReadOnlyMemory<byte>)message.Message, CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
        }

        // Stop receiving, then finish what had already arrived.
        try
        {
            await queue.UnsubscribeAsync();
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogUnsubscribeFailed(ex.Message);
        }

        var drained = 0;
        while (queue.TryRead(out var message))
        {
            await _processor.ProcessAsync(MessageSource.Channel, (ReadOnlyMemory<byte>)message.Message, CancellationToken.None);
            drained++;
        }

        LogUnsubscribed(_messaging.Channel, drained);
    }

    private async Task<ChannelMessageQueue?> SubscribeAsync(ISubscriber subscriber, RedisChannel channel, CancellationToken stoppingToken)
    {
        ChannelMessageQueue? queue = null;
        try
        {
            await RedisErrors.RetryAsync(async () => queue = await Subscriptions.SubscribeOnceAsync(subscriber, channel), (reason, _) => LogSubscribeRetry(_messaging.Channel, reason), _time, stoppingToken);
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
