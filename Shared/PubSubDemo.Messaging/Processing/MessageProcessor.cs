using PubSubDemo.Messaging.Consumers;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Messaging.Observability;
using PubSubDemo.Messaging.Retries;
using PubSubDemo.Messaging.Selection;
using PubSubDemo.Messaging.Telemetry;

namespace PubSubDemo.Messaging.Processing;

/// <summary>What became of one delivery.</summary>
internal enum Disposition
{
    Handled,
    Malformed,
    Failed,

    /// <summary>DEDUPE: the id was handled before; acknowledged without calling the handler.</summary>
    Duplicate,

    /// <summary>FILTER kept it from the handler: settled like a handled one (acknowledged), counted as filtered.</summary>
    Filtered,

    /// <summary>Not due yet (its <c>notBefore</c> is later): the queue or stream consumer puts it in the due set.</summary>
    Deferred,
}

/// <summary>What the consumer needs to settle a delivery: its disposition, why it was not handled, and its message id when it could be read.</summary>
internal readonly record struct ProcessResult(Disposition Disposition, string? Reason = null, string? MessageId = null, DateTimeOffset? DueAt = null);

/// <summary>
/// The path every delivery takes, whatever its source: read it tolerantly, hand it to the handler (watched, so a
/// call that never returns fails liveness), measure its latency once the handler has completed, and report the
/// outcome once on the source's outcome path (<see cref="SourceTelemetry"/>: the instruments and the observers). A message with a trace context is handled inside a consumer span
/// that continues the publisher's (<see cref="MessageTracing"/>). Malformed payloads and handler failures become results, never
/// exceptions. What happens outside the handler (duplicates, shed messages) goes through the same path
/// (<c>MessageProcessor.Outcomes.cs</c>); the consumers' settlement reports its counts on <see cref="Outcomes"/>.
/// </summary>
internal sealed partial class MessageProcessor(
    MessagingOptions messaging,
    ConsumerOptions settings,
    SubscriberTelemetry telemetry,
    IMessageHandler handler,
    TimeProvider time,
    ILogger<MessageProcessor> logger,
    SelectionOptions? selection = null)
{
    /// <summary>
    /// Reads <paramref name="payload"/> and handles it as one delivery (tools and tests; the consumers read first);
    /// <paramref name="channel"/> names a channel delivery's channel for the observers.
    /// </summary>
    public ValueTask<ProcessResult> ProcessAsync(MessageSource source, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken, RedisEffects? effects = null, string? channel = null) =>
        ProcessAsync(Delivery.Of(source, payload, messaging, channel: channel), cancellationToken, effects);

    /// <summary>Handles one delivery, read once by its consumer; <paramref name="effects"/> (DEDUPE) is where the handler adds its Redis writes, for the consumer to commit.</summary>
    public async ValueTask<ProcessResult> ProcessAsync(Delivery delivery, CancellationToken cancellationToken, RedisEffects? effects = null)
    {
        var (source, payload, read, channel) = (delivery.Source, delivery.Payload, delivery.Read, delivery.Channel);
        var sink = telemetry.For(source);

        // Reported on arrival, with what the message says of itself (its sender's sequence number, by which an
        // observer follows a channel's gaps whatever the handler does); a payload that is not a message arrives too.
        sink.Report(MessageOutcome.Received, message: read.Message, channel: channel);
        if (read.Message is not { } message)
        {
            return Malformed(sink, read.Error!, MessageReader.Excerpt(payload.Span), channel);
        }

        // FILTER: a message that does not match never reaches the handler; it is counted, and settled as filtered.
        if (selection?.Filter is { } filter && !filter.Matches(message))
        {
            sink.Report(MessageOutcome.Filtered, message: message, channel: channel);
            return new(Disposition.Filtered, null, message.Id);
        }

        // Not due yet: the queue and the stream keep it on the server until then; the channel keeps nothing, so we wait.
        if (message.NotBefore is { } notBefore && notBefore > time.GetUtcNow())
        {
            if (source != MessageSource.Channel)
            {
                return new(Disposition.Deferred, null, message.Id, notBefore);
            }

            sink.Report(MessageOutcome.Deferred, message: message, channel: channel);
            await DueWait.UntilAsync(notBefore, time, cancellationToken);
        }

        using var trace = message.Traceparent is null ? null : MessageTracing.StartProcess(Destination(source), message, source == MessageSource.Stream ? messaging.Group : null);
        var entered = time.GetTimestamp();
        telemetry.Watchdog.Enter(source, entered);
        try
        {
            await handler.HandleAsync(new ReceivedMessage(source, message) { Effects = effects, Payload = payload, Destination = Destination(source), Attempt = delivery.Attempt, Partition = delivery.Partition }, cancellationToken);
        }
        catch (MalformedMessageException ex)
        {
            trace?.SetStatus(ActivityStatusCode.Error, ex.Message);
            return Malformed(sink, ex.Message, MessageReader.Excerpt(payload.Span), channel, message) with { MessageId = message.Id };
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            trace?.SetStatus(ActivityStatusCode.Error, ex.Message);
            sink.Report(MessageOutcome.Failed, message: message, channel: channel);
            LogHandlerFailed(sink.Name, message.Id, ex.Message);
            return new(Disposition.Failed, $"handler failed: {ex.Message}", message.Id);
        }
        finally
        {
            telemetry.Watchdog.Exit(source, entered);
        }

        // Measured once, now that the handler has completed: the latency of a handled message, and when it was handled.
        var now = time.GetUtcNow();
        var latency = Latency(message, now);
        var traceId = message.Traceparent is null ? null : MessageTracing.TraceId(message, trace);
        sink.OnHandled(message, latency, now, traceId, channel);
        if (settings.LogMessages)
        {
            if (traceId is null)
            {
                LogReceived(message.Sender ?? "unknown", message.Content, message.Id, sink.Count(MessageOutcome.Handled), sink.Name, latency.TotalMilliseconds);
            }
            else
            {
                LogReceivedTraced(message.Sender ?? "unknown", message.Content, message.Id, sink.Count(MessageOutcome.Handled), sink.Name, latency.TotalMilliseconds, traceId);
            }
        }

        return new(Disposition.Handled, null, message.Id);
    }

    /// <summary>The one outcome path, for what the consumers settle in batches (retried, deferred, dead-lettered).</summary>
    public SubscriberTelemetry Outcomes => telemetry;

    private string Destination(MessageSource source) => source switch
    {
        MessageSource.Channel => messaging.Channel,
        MessageSource.Queue => messaging.Queue,
        _ => messaging.Stream,
    };
    /// <summary>
    /// End-to-end latency: now minus the publisher's timestamp, or minus the due time for a delayed message (so it is how
    /// late it was handled); a clock skew below zero counts as zero.
    /// </summary>
    public TimeSpan Latency(Message message) => Latency(message, time.GetUtcNow());

    private static TimeSpan Latency(Message message, DateTimeOffset now)
    {
        var latency = now - message.DueAt;
        return latency < TimeSpan.Zero ? TimeSpan.Zero : latency;
    }

    private ProcessResult Malformed(SourceTelemetry sink, string reason, string excerpt, string? channel = null, Message? message = null)
    {
        sink.Report(MessageOutcome.Malformed, message: message, channel: channel);
        LogMalformed(sink.Name, reason, excerpt);
        return new(Disposition.Malformed, reason);
    }

    [LoggerMessage(3001, LogLevel.Information, "[{Sender}] {Content} (ID: {Id}) [Received #{Count} from {Source}] latency {LatencyMs:0.000} ms")]
    private partial void LogReceived(string sender, string content, string id, long count, string source, double latencyMs);

    // The same event with the trace id appended, so parsers of the line above keep working and the id finds the trace.
#pragma warning disable SYSLIB1006 // one event, two shapes
    [LoggerMessage(3001, LogLevel.Information, "[{Sender}] {Content} (ID: {Id}) [Received #{Count} from {Source}] latency {LatencyMs:0.000} ms trace {TraceId}")]
    private partial void LogReceivedTraced(string sender, string content, string id, long count, string source, double latencyMs, string traceId);
#pragma warning restore SYSLIB1006

    [LoggerMessage(3002, LogLevel.Warning, "Malformed message from {Source}: {Reason}; payload starts {Excerpt}")]
    private partial void LogMalformed(string source, string reason, string excerpt);

    [LoggerMessage(3003, LogLevel.Warning, "Handler failed on {Source} message {Id}: {Reason}")]
    private partial void LogHandlerFailed(string source, string id, string reason);
}
