using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PubSubDemo.Publisher.Generation;
using PubSubDemo.Publisher.Sending;
using PubSubDemo.Messaging.Producing;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Shared.Connection;
using PubSubDemo.Messaging.Connection;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Shared.Hosting;
using PubSubDemo.Shared.Observability;
using PubSubDemo.Messaging.Observability;

namespace PubSubDemo.Publisher;

/// <summary>
/// Creates messages on a schedule (PUBLISH_INTERVAL, or PUBLISH_RATE held steadily) and hands them to the
/// sender through a bounded buffer. On shutdown it stops creating, lets the sender finish what is buffered,
/// and with MESSAGE_COUNT or DURATION it stops the host (exit 0) when done.
/// </summary>
internal sealed partial class PublisherWorker(
    RedisConnection connection,
    MessagingSettings messaging,
    PublisherSettings settings,
    MessageSender sender,
    PublisherStats stats,
    StatsFileSettings statsFile,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    LoopHeartbeat heartbeat,
    ILogger<PublisherWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        StackExchange.Redis.IConnectionMultiplexer multiplexer;
        try
        {
            multiplexer = await connection.GetAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        LogStarting(messaging.InstanceName, messaging.Pattern.ToString().ToLowerInvariant(), messaging.Channel, messaging.Queue, Describe());
        // Synchronous continuations: a message written while the sender waits is sent on the generating thread
        // at once, not after a hop to the thread pool; at a fixed rate that hop cost more CPU than the message.
        var buffer = Channel.CreateUnbounded<OutgoingMessage>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true, AllowSynchronousContinuations = true });
        using var capacity = new SemaphoreSlim(settings.BufferSize, settings.BufferSize);

        // The drain deadline: after a stop request, retries get most of the host's shutdown budget, then give up loudly.
        using var drain = new CancellationTokenSource();
        using var onStop = stoppingToken.Register(() => drain.CancelAfter(ServiceDefaults.ShutdownTimeout - TimeSpan.FromSeconds(3)));

        var sending = sender.RunAsync(multiplexer.GetDatabase(), buffer.Reader, capacity, drain.Token, connection.Server);
        var generating = Task.Factory.StartNew(
            () => Generate(buffer.Writer, capacity, stoppingToken),
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

        var finished = await generating;
        await sending;
        LogSummary(stats.Sent, stats.Retries, stats.Unsent, QueueLength());
        if (statsFile.Path is { } path)
        {
            await WriteStatsFileAsync(path);
        }

        if (finished)
        {
            LogDone(stats.Sent);
            lifetime.StopApplication();
        }
    }

    /// <summary>Runs on its own thread so that pacing can wait with sub-millisecond precision. Returns true when the count or duration was reached.</summary>
    private bool Generate(ChannelWriter<OutgoingMessage> writer, SemaphoreSlim capacity, CancellationToken stoppingToken)
    {
        var factory = new MessageFactory(messaging.SenderId, settings.MessageSize, settings.Delay);
        var start = time.GetTimestamp();
        var startWall = time.GetUtcNow();
        var period = settings.Rate is > 0 ? TimeSpan.FromSeconds(1 / settings.Rate.Value) : settings.Rate is null ? settings.Interval : TimeSpan.Zero;
        var fixedRate = settings.Rate is > 0;
        var nextSummary = start + ToTicks(settings.SummaryInterval);
        long lastSent = 0;
        var lastSummary = start;
        try
        {
            for (long i = 0; ; i++)
            {
                heartbeat.Beat(nameof(PublisherWorker));
                if (settings.MessageCount > 0 && i >= settings.MessageCount)
                {
                    return true;
                }

                // As fast as possible, every message is due at once: DURATION then counts on the clock.
                var due = start + ToTicks(period * i);
                if (settings.Duration is { } duration && time.GetElapsedTime(start, period > TimeSpan.Zero ? due : time.GetTimestamp()) >= duration)
                {
                    return true;
                }

                if (i > 0 && period > TimeSpan.Zero)
                {
                    Pacer.WaitUntil(time, due, stoppingToken);
                }

                stoppingToken.ThrowIfCancellationRequested();
                if (!capacity.Wait(0, CancellationToken.None))
                {
                    // As fast as possible, a full buffer is the intended brake, not news: only a schedule that falls behind is logged.
                    if (period > TimeSpan.Zero)
                    {
                        LogBufferFull(settings.BufferSize);
                    }

                    capacity.Wait(stoppingToken);
                    if (period > TimeSpan.Zero)
                    {
                        LogBufferResumed();
                    }
                }

                // At a fixed rate the timestamp is the scheduled send time, so a stalled publisher shows up as
                // latency at the subscriber instead of hiding it (no coordinated omission).
                var timestamp = fixedRate ? startWall + time.GetElapsedTime(start, due) : time.GetUtcNow();
                writer.TryWrite(sender.Prepare(factory.Create(timestamp)));
                stats.OnCreated();

                var now = time.GetTimestamp();
                if (now >= nextSummary)
                {
                    var sent = stats.Sent;
                    var seconds = time.GetElapsedTime(lastSummary, now).TotalSeconds;
                    LogProgress(sent, (long)((sent - lastSent) / seconds), stats.Buffered, stats.Retries, QueueLength());
                    lastSent = sent;
                    lastSummary = now;
                    nextSummary = now + ToTicks(settings.SummaryInterval);
                }
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        finally
        {
            writer.Complete();
        }

        long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * time.TimestampFrequency);
    }

    private async Task WriteStatsFileAsync(string path)
    {
        try
        {
            await StatsFiles.WriteAsync(path, PublisherStatsFiles.From(stats, settings, messaging));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogStatsFileFailed(path, ex.Message);
        }
    }

    /// <summary>The queue's length at the last push, or "n/a" when PATTERN sends nothing to the queue.</summary>
    private string QueueLength() => stats.LastQueueLength < 0 ? "n/a" : stats.LastQueueLength.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private string Describe() => settings.Rate switch
    {
        null => $"one message every {DurationParser.Format(settings.Interval)}",
        0 => "as fast as possible",
        var rate => $"{rate} messages/s",
    } + (settings.MessageCount > 0 ? $", {settings.MessageCount} in all" : "") + (settings.Duration is { } d ? $", for {DurationParser.Format(d)}" : "");

    [LoggerMessage(2101, LogLevel.Information, "Publisher {Instance} started: pattern {Pattern}, channel '{Channel}', queue '{Queue}', {Schedule}")]
    private partial void LogStarting(string instance, string pattern, string channel, string queue, string schedule);

    [LoggerMessage(2102, LogLevel.Warning, "Send buffer full ({Capacity} messages waiting for the server): pausing message creation until it drains")]
    private partial void LogBufferFull(int capacity);

    [LoggerMessage(2103, LogLevel.Information, "Send buffer has room again: resuming message creation")]
    private partial void LogBufferResumed();

    [LoggerMessage(2104, LogLevel.Information, "Published {Sent} messages ({Rate}/s), {Buffered} buffered, {Retries} retries, queue length {QueueLength}")]
    private partial void LogProgress(long sent, long rate, long buffered, long retries, string queueLength);

    [LoggerMessage(2105, LogLevel.Information, "Summary: sent {Sent} messages, {Retries} retries, {Unsent} not sent, queue length {QueueLength}")]
    private partial void LogSummary(long sent, long retries, long unsent, string queueLength);

    [LoggerMessage(2106, LogLevel.Information, "Done: {Sent} messages sent; stopping")]
    private partial void LogDone(long sent);

    [LoggerMessage(2107, LogLevel.Warning, "Could not write STATS_FILE {Path}: {Reason}")]
    private partial void LogStatsFileFailed(string path, string reason);
}
