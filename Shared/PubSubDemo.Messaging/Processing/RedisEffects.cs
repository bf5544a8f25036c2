using StackExchange.Redis;

namespace PubSubDemo.Messaging;

/// <summary>
/// The writes of a handler whose effect lives in Redis, given to it as <see cref="MessageContext{T}.Effects"/> when
/// <see cref="DestinationOptions.Dedupe"/> is on. The handler adds writes here instead of sending them; once it returns, the consumer commits them in one
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

    /// <summary>Adds <c>HINCRBY key field by</c>, committed once with the marker.</summary>
    /// <param name="key">A key from <see cref="Key"/>.</param>
    /// <param name="field">The hash field.</param>
    /// <param name="by">The increment.</param>
    public void HashIncrement(RedisKey key, RedisValue field, long by = 1) => Call("HINCRBY", key, field, by);

    /// <summary>Adds <c>HSET key field value</c>, committed once with the marker.</summary>
    /// <param name="key">A key from <see cref="Key"/>.</param>
    /// <param name="field">The hash field.</param>
    /// <param name="value">Its new value.</param>
    public void HashSet(RedisKey key, RedisValue field, RedisValue value) => Call("HSET", key, field, value);

    /// <summary>Adds <c>INCRBY key by</c>, committed once with the marker.</summary>
    /// <param name="key">A key from <see cref="Key"/>.</param>
    /// <param name="by">The increment.</param>
    public void StringIncrement(RedisKey key, long by = 1) => Call("INCRBY", key, by);

    /// <summary>Adds <c>SADD key member</c>, committed once with the marker.</summary>
    /// <param name="key">A key from <see cref="Key"/>.</param>
    /// <param name="member">The member to add.</param>
    public void SetAdd(RedisKey key, RedisValue member) => Call("SADD", key, member);

    /// <summary>Adds <c>RPUSH key value</c>, committed once with the marker.</summary>
    /// <param name="key">A key from <see cref="Key"/>.</param>
    /// <param name="value">The element to append.</param>
    public void ListRightPush(RedisKey key, RedisValue value) => Call("RPUSH", key, value);

    /// <summary>
    /// Adds any write command whose only key is its first argument, e.g. <c>Call("ZINCRBY", key, 1, member)</c>.
    /// The server user needs the command's ACL permission on <c>{base}:effects:*</c> keys.
    /// </summary>
    /// <param name="command">The command's name.</param>
    /// <param name="key">A key from <see cref="Key"/>.</param>
    /// <param name="arguments">The arguments after the key.</param>
    /// <exception cref="ArgumentException"><paramref name="key"/> did not come from <see cref="Key"/>.</exception>
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
