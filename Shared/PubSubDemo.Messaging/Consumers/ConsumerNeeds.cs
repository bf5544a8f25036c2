using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Messaging.Connection;
using PubSubDemo.Messaging.Dedupe;

namespace PubSubDemo.Messaging.Consumers;

/// <summary>
/// What the consumers PATTERN starts need from the server: streams for the stream consumer; Lua for the queue (its take,
/// its returns and the due set's moves are scripts, <see cref="QueueScripts"/>), for the stream (retries and delays
/// are claimed from the due set by a script) and for DEDUPE (the commit of effects, marker and acknowledgement).
/// </summary>
internal sealed class ConsumerNeeds(MessagingOptions messaging, DedupeOptions dedupe) : IServerNeeds
{
    private const string LuaFix = "switch Lua on at the server (Garnet: --lua)";

    public void Describe(ServerNeeds needs)
    {
        needs.StreamsFor(messaging);
        var pattern = ServerNeeds.PatternSetting(messaging);
        if (messaging.Uses(Pattern.Queue))
        {
            needs.Add(ServerFeature.LuaScripts, pattern, "the queue's take, returns, retries and delays are Lua scripts", $"{LuaFix}, or use PATTERN=pubsub");
        }
        else if (messaging.Uses(Pattern.Stream))
        {
            needs.Add(ServerFeature.LuaScripts, pattern, "the stream's retries and delays are claimed by a Lua script", $"{LuaFix}, or use PATTERN=pubsub");
        }

        if (dedupe.Enabled)
        {
            needs.Add(ServerFeature.LuaScripts, "DEDUPE=true", "effects, marker and acknowledgement commit as one Lua script", $"{LuaFix}, or unset DEDUPE");
        }
    }
}
