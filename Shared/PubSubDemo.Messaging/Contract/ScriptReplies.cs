using System.Globalization;
using StackExchange.Redis;

namespace PubSubDemo.Messaging.Contract;

/// <summary>
/// Reads what our Lua scripts return, in either shape the servers give it. Redis and Valkey convert a sorted set's
/// score to a string inside Lua, DragonFly (v1.40.1) to a number (which reaches the client as an integer); Redis gives a
/// null array to Lua as false, DragonFly as an empty table, so a script may hand either back; an error caught with pcall
/// keeps its leading '-' on DragonFly. Each reader accepts both, so the consumers never depend on one server's shape.
/// </summary>
internal static class ScriptReplies
{
    /// <summary>A sorted-set score a script returned (a due time in Unix milliseconds): text or a number; null for '', nil or an empty table.</summary>
    public static long? Score(RedisResult? reply)
    {
        if (reply is null || reply.IsNull)
        {
            return null;
        }

        return reply.Resp2Type switch
        {
            ResultType.Integer => (long)reply,
            ResultType.BulkString or ResultType.SimpleString => double.TryParse((string?)reply, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? (long)value : null,
            _ => null,
        };
    }

    /// <summary>A list of values a script returned: an array (empty when the script gave an empty table), or none for nil.</summary>
    public static RedisValue[] Values(RedisResult? reply) =>
        reply is null || reply.IsNull || reply.Resp2Type != ResultType.Array ? [] : (RedisValue[])reply!;

    /// <summary>A count a script returned: an integer, or text holding one; <paramref name="fallback"/> for anything else.</summary>
    public static long Count(RedisResult? reply, long fallback) =>
        reply is null || reply.IsNull ? fallback
        : reply.Resp2Type == ResultType.Integer ? (long)reply
        : reply.Resp2Type is ResultType.BulkString or ResultType.SimpleString && long.TryParse((string?)reply, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value
        : fallback;

    /// <summary>An error a script caught with pcall and returned as text, without DragonFly's leading '-'.</summary>
    public static string ErrorText(RedisResult? reply) => (reply?.ToString() ?? "").TrimStart('-');
}
