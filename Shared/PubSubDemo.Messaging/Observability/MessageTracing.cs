using System.Diagnostics;
using PubSubDemo.Messaging.Contract;

namespace PubSubDemo.Messaging.Observability;

/// <summary>
/// Traces that follow each message, after the OpenTelemetry messaging conventions: the publisher's producer span
/// ("&lt;destination&gt; send") writes its W3C context into the message, and the subscriber's consumer span
/// ("&lt;destination&gt; process") continues it. With nobody listening to <see cref="SourceName"/> nothing is created
/// and nothing is written; a message without a trace context (another client's) gets no span.
/// </summary>
internal static class MessageTracing
{
    public const string SourceName = "PubSubDemo.Messaging";

    public const string SystemTag = "messaging.system";
    public const string DestinationTag = "messaging.destination.name";
    public const string OperationTypeTag = "messaging.operation.type";
    public const string MessageIdTag = "messaging.message.id";
    public const string ConsumerGroupTag = "messaging.consumer.group.name";

    private static readonly ActivitySource Source = new(SourceName);

    /// <summary>
    /// A producer span for one message, or null when nobody listens. It is not left as the thread's current
    /// activity: it ends on the sender's thread once the server has taken the message.
    /// </summary>
    public static Activity? StartSend(string destination, string messageId)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var previous = Activity.Current;
        Activity.Current = null;
        var activity = Source.StartActivity($"{destination} send", ActivityKind.Producer);
        Activity.Current = previous;
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(SystemTag, "redis");
            activity.SetTag(DestinationTag, destination);
            activity.SetTag(OperationTypeTag, "send");
            activity.SetTag(MessageIdTag, messageId);
        }

        return activity;
    }

    /// <summary><paramref name="message"/> with the producer span's context in it (unchanged without a span).</summary>
    public static Message WithContext(Message message, Activity? send) =>
        send is null ? message : message with { Traceparent = send.Id, Tracestate = send.TraceStateString };

    /// <summary>
    /// A consumer span for a message that carries a trace context, its parent; null when nobody listens, when the
    /// message has no context or an unreadable one, or when the sampler drops it.
    /// </summary>
    public static Activity? StartProcess(string destination, Message message, string? consumerGroup = null)
    {
        if (message.Traceparent is null || !Source.HasListeners()
            || !ActivityContext.TryParse(message.Traceparent, message.Tracestate, isRemote: true, out var parent))
        {
            return null;
        }

        var activity = Source.StartActivity($"{destination} process", ActivityKind.Consumer, parent);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(SystemTag, "redis");
            activity.SetTag(DestinationTag, destination);
            activity.SetTag(OperationTypeTag, "process");
            activity.SetTag(MessageIdTag, message.Id);
            if (consumerGroup is not null)
            {
                activity.SetTag(ConsumerGroupTag, consumerGroup);
            }
        }

        return activity;
    }

    /// <summary>The 32-hex trace id a message carries, for its log line; null without a (readable) context.</summary>
    public static string? TraceId(Message message, Activity? process)
    {
        if (process is not null)
        {
            return process.TraceId.ToHexString();
        }

        return message.Traceparent is { } traceparent && ActivityContext.TryParse(traceparent, null, out var context)
            ? context.TraceId.ToHexString()
            : null;
    }

    /// <summary>Ends a producer span; <paramref name="failure"/> marks a message the server never took.</summary>
    public static void EndSend(Activity? send, string? failure = null)
    {
        if (send is null || send.IsStopped)
        {
            return;
        }

        if (failure is not null)
        {
            send.SetStatus(ActivityStatusCode.Error, failure);
        }

        send.Stop();
    }
}
