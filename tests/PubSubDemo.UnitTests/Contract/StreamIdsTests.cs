using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;

namespace PubSubDemo.UnitTests.Contract;

/// <summary>Stream ids as the recreated group's start and the retention bound compute them: by their numbers, never as text.</summary>
public sealed class StreamIdsTests
{
    [Theory]
    [InlineData("10-0", "9-0", 1)]
    [InlineData("5-1", "5-10", -1)]
    [InlineData("7", "7-0", 0)]
    [InlineData("garbage", "0-0", -1)]
    public void Ids_compare_by_their_numbers(string a, string b, int sign) =>
        Assert.Equal(sign, Math.Sign(StreamIds.Compare(a, b)));

    [Theory]
    [InlineData("1700000000000-5", "1700000000000-4")]
    [InlineData("1700000000000-0", "1699999999999-18446744073709551615")]
    [InlineData("0-1", "0-0")]
    [InlineData("0-0", "0")]
    [InlineData("not-an-id", "0")]
    public void The_id_before_is_the_last_one_a_group_created_there_would_skip(string id, string before) =>
        Assert.Equal(before, StreamIds.Before(id));

    [Fact]
    public void The_smallest_skips_what_does_not_parse() =>
        Assert.Equal("9-3", StreamIds.Min(["10-0", null, "9-3", "x", "9-10"]));
}
