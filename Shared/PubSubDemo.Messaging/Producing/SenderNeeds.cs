using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Messaging.Connection;

namespace PubSubDemo.Messaging.Producing;

/// <summary>
/// What <see cref="MessageSender"/> needs from the server: streams for PATTERN with a stream, and Lua for STREAM_MAXLEN's
/// trim (<see cref="StreamRetention"/>). The batch scripts (<see cref="SendScripts"/>) are no need: without Lua the
/// publisher sends one command per message (<see cref="ScriptFallback"/>).
/// </summary>
internal sealed class SenderNeeds(MessagingOptions messaging, ProducerOptions settings) : IServerNeeds
{
    public void Describe(ServerNeeds needs)
    {
        needs.StreamsFor(messaging);
        if (messaging.Uses(Pattern.Stream) && settings.StreamMaxLength is { } max)
        {
            needs.Add(
                ServerFeature.LuaScripts,
                $"STREAM_MAXLEN={max}",
                "the trim that keeps unread entries is a Lua script",
                "switch Lua on at the server (Garnet: --lua), or unset STREAM_MAXLEN");
        }
    }
}
