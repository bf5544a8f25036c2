using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using StackExchange.Redis;

namespace PubSubDemo.Testing;

/// <summary>Writes a payload as another client would: RPUSH to a queue (partition), or XADD with the message field to a stream.</summary>
public static class SourceWrites
{
    public static Task AddAsync(IDatabase database, string pattern, string key, RedisValue payload) => pattern == "queue"
        ? database.ListRightPushAsync(key, payload)
        : database.StreamAddAsync(key, KeyNames.StreamField, payload);
}
