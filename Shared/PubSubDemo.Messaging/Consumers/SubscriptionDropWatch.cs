using Microsoft.Extensions.Logging;
using PubSubDemo.Messaging.Processing;
using StackExchange.Redis;

namespace PubSubDemo.Messaging.Consumers;

/// <summary>
/// Tells a slow-subscriber disconnect from any other lost connection. When the server closes only the subscription
/// connection, while messages were arriving and the interactive connection stayed up, the likely cause is the
/// server's pub/sub output-buffer limit (<c>client-output-buffer-limit pubsub</c>): this subscriber read more slowly
/// than the publisher sent, and the server dropped it rather than buffer more. That is said in words and counted
/// when the subscription comes back; the messages published meanwhile show up as a gap, as for any absence.
/// A server restart closes both connections, so it is not mistaken for this.
/// </summary>
internal sealed partial class SubscriptionDropWatch : IDisposable
{
    /// <summary>
    /// A delivery this recent before the close, or messages still unread in the subscription's queue, mean messages
    /// were flowing when the server cut us off (an idle subscription is never over its limit). As long as the soft
    /// limit's default window (60 s): a subscriber that stopped reading altogether (a long pause, a stopped process)
    /// is cut off at the hard limit with its last delivery that long ago, and what the server had sent is lost with
    /// the connection (measured: with 5 s, the fault test's stopped subscriber was not told about one time in three
    /// at load 6).
    /// </summary>
    private static readonly TimeSpan RecentDelivery = TimeSpan.FromSeconds(60);

    private readonly IConnectionMultiplexer _multiplexer;
    private readonly ChannelMessageQueue _queue;
    private readonly MessageProcessor _processor;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private long _lastDelivery;
    private long _subscriptionLostAt;
    private long _interactiveLostAt;
    private long _receivedAtLoss;

    public SubscriptionDropWatch(IConnectionMultiplexer multiplexer, ChannelMessageQueue queue, MessageProcessor processor, TimeProvider time, ILogger logger)
    {
        _multiplexer = multiplexer;
        _queue = queue;
        _processor = processor;
        _time = time;
        _logger = logger;
        multiplexer.ConnectionFailed += OnFailed;
        multiplexer.ConnectionRestored += OnRestored;
    }

    /// <summary>Called by the consumer for every message read off the subscription; one volatile write.</summary>
    public void Delivered() => Volatile.Write(ref _lastDelivery, _time.GetTimestamp());

    private void OnFailed(object? sender, ConnectionFailedEventArgs e)
    {
        var now = _time.GetTimestamp();
        if (e.ConnectionType == ConnectionType.Interactive)
        {
            Volatile.Write(ref _interactiveLostAt, now);
            return;
        }

        var last = Volatile.Read(ref _lastDelivery);
        // The client reads what the server sent before the close into the queue; the consumer may not have reached it yet.
        var unread = _queue.TryGetCount(out var count) && count > 0;
        if (e.ConnectionType == ConnectionType.Subscription && e.FailureType == ConnectionFailureType.SocketClosed
            && last != 0 && (unread || _time.GetElapsedTime(last, now) <= RecentDelivery))
        {
            _receivedAtLoss = _processor.Received(MessageSource.Channel);
            Volatile.Write(ref _subscriptionLostAt, now);

            // The client raises its events on the thread pool, so a reconnect within milliseconds can be handled
            // before this failure was: then the subscription is back already and this is the moment to say so.
            if (_multiplexer.GetSubscriber().IsConnected(_queue.Channel))
            {
                Report();
            }
        }
    }

    private void OnRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Subscription)
        {
            Report();
        }
    }

    /// <summary>Says it once per loss, when the subscription is back.</summary>
    private void Report()
    {
        var lostAt = Interlocked.Exchange(ref _subscriptionLostAt, 0);
        if (lostAt == 0)
        {
            return;
        }

        // The interactive connection failing too (within a second either way) means the server itself went away.
        var interactive = Volatile.Read(ref _interactiveLostAt);
        if (interactive != 0 && Math.Abs((_time.GetElapsedTime(interactive) - _time.GetElapsedTime(lostAt)).TotalSeconds) <= 1)
        {
            return;
        }

        _processor.DisconnectedWhenSlow(MessageSource.Channel);
        LogSlowSubscriberDisconnect(_receivedAtLoss, _time.GetElapsedTime(lostAt).TotalMilliseconds);
    }

    public void Dispose()
    {
        _multiplexer.ConnectionFailed -= OnFailed;
        _multiplexer.ConnectionRestored -= OnRestored;
    }

    [LoggerMessage(3106, LogLevel.Warning, "The server closed the subscription while messages were arriving (after {Received} received; resubscribed after {AwayMs:0} ms): most likely this subscriber fell behind a burst and exceeded the server's pub/sub output-buffer limit (client-output-buffer-limit pubsub, 32mb 8mb 60 by default). Messages published meanwhile are lost and reported as a gap; raise the limit, slow the publisher, or use the queue or stream pattern")]
    private partial void LogSlowSubscriberDisconnect(long received, double awayMs);
}
