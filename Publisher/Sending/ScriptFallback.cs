using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace PubSubDemo.Publisher.Sending;

/// <summary>
/// Whether the batch scripts (<see cref="SendScripts"/>) may be used. A server that refuses them (scripting disabled,
/// or a command not allowed in scripts) gets one command per message from then on, from every destination; the
/// refused batch is retried that way with the same ids.
/// </summary>
internal sealed class ScriptFallback(ILogger logger)
{
    private volatile bool _unavailable;

    /// <summary>True when <paramref name="count"/> messages should go as one script rather than one command each.</summary>
    public bool UseScript(int count) => count > 1 && !_unavailable;

    /// <summary>Records the refusal (logged once) and returns it as the failure to retry.</summary>
    public RedisServerException Refused(RedisServerException ex)
    {
        if (!_unavailable)
        {
            _unavailable = true;
            SendLog.ScriptsUnavailable(logger, ex.Message);
        }

        return ex;
    }
}
