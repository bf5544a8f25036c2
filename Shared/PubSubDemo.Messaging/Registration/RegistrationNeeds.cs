using PubSubDemo.Messaging.Connection;

namespace PubSubDemo.Messaging.Registration;

/// <summary>
/// What one registration needs from the server, checked once when the connection is made: a stream needs streams,
/// a queue's or a stream's consumer and DEDUPE need Lua scripts, sharded pub/sub needs SPUBLISH. A server that lacks
/// one faults the connection with a line naming the registration, the option and the fix.
/// </summary>
internal sealed class RegistrationNeeds(string name, MessageSource source, DestinationOptions options, bool consumes) : IServerNeeds
{
    private const string LuaFix = "switch Lua on at the server (Garnet: --lua)";

    public void Describe(ServerNeeds needs)
    {
        var registration = $"{source.ToString().ToLowerInvariant()} '{name}'";
        if (source == MessageSource.Stream)
        {
            needs.Add(ServerFeature.Streams, registration, "XADD and XREADGROUP", "use a queue or a channel on this server");
        }

        if (consumes && source != MessageSource.Channel)
        {
            needs.Add(ServerFeature.LuaScripts, $"{registration}'s consumer", "its take, returns, retries and delays are Lua scripts", LuaFix);
        }

        if (consumes && options.Dedupe)
        {
            needs.Add(ServerFeature.LuaScripts, $"{registration} with Dedupe", "effects, marker and acknowledgement commit as one Lua script", $"{LuaFix}, or turn Dedupe off");
        }

        if (source == MessageSource.Stream && options is StreamOptions { MaxLength: { } max })
        {
            needs.Add(ServerFeature.LuaScripts, $"{registration} with MaxLength={max}", "the trim that keeps unread entries is a Lua script", $"{LuaFix}, or leave MaxLength unset");
        }

        if (options.PubSubMode == PubSubMode.Sharded)
        {
            needs.Add(ServerFeature.ShardedPubSub, $"{registration} with PubSubMode.Sharded", "SPUBLISH and SSUBSCRIBE", "use PubSubMode.Classic");
        }
    }
}
