using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.DependencyInjection;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Messaging.Processing;

namespace PubSubDemo.Messaging.Handling;

/// <summary>
/// Between the engine's processing path and a typed handler: reads the type's fields from the payload (a payload that
/// is not a <typeparamref name="T"/> is malformed), opens a DI scope for the delivery, resolves the handler in it and
/// hands it the typed context.
/// </summary>
internal sealed class TypedHandler<T, THandler>(IServiceScopeFactory scopes, JsonTypeInfo<T> json) : IMessageHandler
    where THandler : class, IMessageHandler<T>
{
    public async ValueTask HandleAsync(ReceivedMessage received, CancellationToken cancellationToken)
    {
        var value = TypedPayload.Read(received.Payload, json);
        var message = received.Message;
        await using var scope = scopes.CreateAsyncScope();
        var handler = scope.ServiceProvider.GetRequiredService<THandler>();
        var context = new MessageContext<T>(value, message.Id, received.Source, received.Destination, message.Timestamp, message.NotBefore, message.Traceparent, received.Effects, scope.ServiceProvider)
        {
            Attempt = received.Attempt,
            Partition = received.Partition,
        };
        await handler.HandleAsync(context, cancellationToken);
    }
}
