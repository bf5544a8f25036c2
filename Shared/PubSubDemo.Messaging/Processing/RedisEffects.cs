using StackExchange.Redis;

namespace PubSubDemo.Messaging;

/// <summary>
/// The writes of a handler whose effect lives in Redis, given to it as <see cref="ReceivedMessage.Effects"/> when
/// DEDUPE=true. The handler adds writes here instead of sending them; once it returns, the consumer commits them in one
/// Lua script together with the message's "handled" marker and (queue, stream) its acknowledgement, and only when the
/// marker did not exist yet. So a crash between the effect and the marker cannot apply the effect twice, and a
/// redelivered message applies nothing. Keys come from <see cref="Key"/>: <c>{base}:effects:name</c>, in the slot of the
/// message's queue or stream partition (or channel), which a script on a cluster requires. A handler that fails adds
/// nothing: its writes are dropped with the attempt.
/// </summary>
public sealed class RedisEffects
{
    private readonly string _prefix;
    private readonly List<EffectCommand> _commands = [];

    internal RedisEffects(string prefix)
    {
        _prefix = prefix;
    }

    /// <summary>The writes added so far, in order.</summary>
    internal IReadOnlyList<EffectCommand> Commands => _commands;

    /// <summary><c>{base}:effects:<paramref name="name"/></c>: a key in the message's slot for this handler's state.</summary>
    public RedisKey Key(string name) => _prefix + name;

    public void HashIncrement(RedisKey key, RedisValue field, long by = 1) => Call("HINCRBY", key, field, by);

    public void HashSet(RedisKey key, RedisValue field, RedisValue value) => Call("HSET", key, field, value);

    public void StringIncrement(RedisKey key, long by = 1) => Call("INCRBY", key, by);

    public void SetAdd(RedisKey key, RedisValue member) => Call("SADD", key, member);

    public void ListRightPush(RedisKey key, RedisValue value) => Call("RPUSH", key, value);

    /// <summary>Any write command whose only key is its first argument, e.g. <c>Call("ZINCRBY", key, 1, member)</c>.</summary>
    public void Call(string command, RedisKey key, params RedisValue[] arguments)
    {
        if (!key.ToString().StartsWith(_prefix, StringComparison.Ordinal))
        {
            throw new ArgumentException($"effect keys come from Key(name), '{_prefix}…', so that they share the message's slot; '{key}' does not", nameof(key));
        }

        _commands.Add(new EffectCommand(command, key, arguments));
    }
}

/// <summary>One write of an effect: the command, its key, the arguments after the key.</summary>
internal sealed record EffectCommand(string Name, RedisKey Key, RedisValue[] Arguments);
