using Microsoft.Extensions.Logging;
using PubSubDemo.Messaging.Connection;
using StackExchange.Redis;

namespace PubSubDemo.Messaging.Producing;

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

    /// <summary>False once the server has refused a script.</summary>
    public bool Available => !_unavailable;

    /// <summary>Records the refusal (logged once) and returns it as the failure to retry.</summary>
    private RedisServerException Refused(RedisServerException ex)
    {
        if (!_unavailable)
        {
            _unavailable = true;
            SendLog.ScriptsUnavailable(logger, ex.Message);
        }

        return ex;
    }

    /// <summary>
    /// Awaits the replies of messages sent as one <paramref name="script"/> (its reply read by <paramref name="fromScript"/>)
    /// or as one command <paramref name="each"/>, calling <paramref name="onTaken"/> for every message the server took, in
    /// order. Returns null, or the failure to retry: a transient error, or the script's refusal (which switches to commands).
    /// </summary>
    public async Task<Exception?> RepliesAsync<T>(Task<RedisResult>? script, Func<RedisResult, T[]> fromScript, Task<T>[]? each, Action<int, T> onTaken)
    {
        try
        {
            if (script is not null)
            {
                var replies = fromScript(await script);
                for (var i = 0; i < replies.Length; i++)
                {
                    onTaken(i, replies[i]);
                }
            }
            else
            {
                for (var i = 0; i < each!.Length; i++)
                {
                    onTaken(i, await each[i]);
                }
            }

            return null;
        }
        catch (Exception ex) when (RedisErrors.IsTransient(ex))
        {
            return ex;
        }
        catch (RedisServerException ex) when (script is not null)
        {
            return Refused(ex);
        }
    }
}
