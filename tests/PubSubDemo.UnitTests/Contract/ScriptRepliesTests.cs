using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using StackExchange.Redis;

namespace PubSubDemo.UnitTests.Contract;

/// <summary>
/// Our scripts' replies in both shapes: Redis and Valkey hand Lua a sorted set's score as text and a null array as
/// false; DragonFly (v1.40.1) a number and an empty table, and its pcall errors keep their leading '-'.
/// </summary>
public sealed class ScriptRepliesTests
{
    [Fact]
    public void A_due_score_reads_the_same_as_text_and_as_a_number()
    {
        Assert.Equal(1772366400123L, ScriptReplies.Score(RedisResult.Create((RedisValue)"1772366400123")));
        Assert.Equal(1772366400123L, ScriptReplies.Score(RedisResult.Create((RedisValue)1772366400123L)));
        Assert.Equal(1772366400123L, ScriptReplies.Score(RedisResult.Create((RedisValue)"1.772366400123e+12")));
    }

    [Fact]
    public void No_due_score_is_null_whether_empty_text_nil_or_an_empty_table()
    {
        Assert.Null(ScriptReplies.Score(RedisResult.Create((RedisValue)"")));
        Assert.Null(ScriptReplies.Score(RedisResult.Create(RedisValue.Null)));
        Assert.Null(ScriptReplies.Score(RedisResult.Create(Array.Empty<RedisResult>())));
        Assert.Null(ScriptReplies.Score(null));
    }

    [Fact]
    public void Items_read_from_an_array_an_empty_table_or_nil()
    {
        Assert.Equal(["a", "b"], ScriptReplies.Values(RedisResult.Create([RedisResult.Create((RedisValue)"a"), RedisResult.Create((RedisValue)"b")])).Select(v => v.ToString()));
        Assert.Empty(ScriptReplies.Values(RedisResult.Create(Array.Empty<RedisResult>())));
        Assert.Empty(ScriptReplies.Values(RedisResult.Create(RedisValue.Null)));
    }

    [Fact]
    public void A_delivery_count_reads_as_an_integer_or_as_text_and_falls_back_otherwise()
    {
        Assert.Equal(3, ScriptReplies.Count(RedisResult.Create((RedisValue)3), 1));
        Assert.Equal(3, ScriptReplies.Count(RedisResult.Create((RedisValue)"3"), 1));
        Assert.Equal(1, ScriptReplies.Count(RedisResult.Create(RedisValue.Null), 1));
        Assert.Equal(1, ScriptReplies.Count(RedisResult.Create(Array.Empty<RedisResult>()), 1));
    }

    [Fact]
    public void A_caught_error_reads_without_DragonFlys_leading_dash()
    {
        const string error = "WRONGTYPE Operation against a key holding the wrong kind of value";
        Assert.Equal(error, ScriptReplies.ErrorText(RedisResult.Create((RedisValue)error)));
        Assert.Equal(error, ScriptReplies.ErrorText(RedisResult.Create((RedisValue)("-" + error))));
    }
}
