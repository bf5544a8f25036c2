using System.Net;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Messaging.Configuration;
using StackExchange.Redis;

namespace PubSubDemo.UnitTests.Configuration;

public sealed class RedisAddressTests
{
    private static ConfigurationOptions Parse(string text)
    {
        Assert.True(RedisAddress.TryParse(text, out var options, out var error), error);
        Assert.Null(error);
        return options;
    }

    private static string Refuse(string text)
    {
        Assert.False(RedisAddress.TryParse(text, out _, out var error));
        Assert.False(string.IsNullOrWhiteSpace(error));
        return error!;
    }

    [Fact]
    public void Host_and_port_is_one_endpoint()
    {
        var options = Parse("redis:6379");

        var endPoint = Assert.IsType<DnsEndPoint>(Assert.Single(options.EndPoints));
        Assert.Equal("redis", endPoint.Host);
        Assert.Equal(6379, endPoint.Port);
        Assert.False(options.Ssl);
        Assert.Equal("redis:6379", RedisAddress.Describe(options));
    }

    [Fact]
    public void Comma_separated_endpoints_are_all_kept()
    {
        var options = Parse("redis-a:6379,redis-b:6380");

        Assert.Equal(["redis-a:6379", "redis-b:6380"], options.EndPoints.Select(RedisAddress.Format));
        Assert.Equal("redis-a:6379,redis-b:6380", RedisAddress.Describe(options));
    }

    [Fact]
    public void Configuration_string_keeps_its_password_and_ssl()
    {
        var options = Parse("redis:6380,password=s3cr3t,ssl=true,abortConnect=false");

        Assert.Equal("s3cr3t", options.Password);
        Assert.True(options.Ssl);
        Assert.Equal("redis:6380 (TLS)", RedisAddress.Describe(options));
    }

    [Fact]
    public void IPv6_literal_with_port_is_an_IP_endpoint()
    {
        var options = Parse("[::1]:6379");

        var endPoint = Assert.IsType<IPEndPoint>(Assert.Single(options.EndPoints));
        Assert.Equal(IPAddress.IPv6Loopback, endPoint.Address);
        Assert.Equal(6379, endPoint.Port);
    }

    [Fact]
    public void Redis_URL_gives_user_password_port_and_database()
    {
        var options = Parse("redis://user:pass@cache.example:6380/2");

        var endPoint = Assert.IsType<DnsEndPoint>(Assert.Single(options.EndPoints));
        Assert.Equal("cache.example", endPoint.Host);
        Assert.Equal(6380, endPoint.Port);
        Assert.Equal("user", options.User);
        Assert.Equal("pass", options.Password);
        Assert.Equal(2, options.DefaultDatabase);
        Assert.False(options.Ssl);
    }

    [Fact]
    public void Redis_URL_without_port_uses_6379()
    {
        var options = Parse("redis://cache.example");

        Assert.Equal("cache.example:6379", RedisAddress.Describe(options));
        Assert.Null(options.DefaultDatabase);
        Assert.Null(options.Password);
    }

    [Fact]
    public void Rediss_URL_turns_on_TLS_for_that_host()
    {
        var options = Parse("rediss://cache.example:6380");

        Assert.True(options.Ssl);
        Assert.Equal("cache.example", options.SslHost);
        Assert.Equal("cache.example:6380 (TLS)", RedisAddress.Describe(options));
    }

    [Fact]
    public void Redis_URL_with_only_a_secret_before_the_at_sign_is_password_only()
    {
        var options = Parse("redis://s3cr3t@cache.example");

        Assert.Equal("s3cr3t", options.Password);
        Assert.Null(options.User);
    }

    [Fact]
    public void Redis_URL_with_empty_user_is_password_only()
    {
        var options = Parse("redis://:s3cr3t@cache.example");

        Assert.Equal("s3cr3t", options.Password);
        Assert.Null(options.User);
    }

    [Fact]
    public void Redis_URL_password_is_URL_decoded()
    {
        var options = Parse("redis://app%2Duser:p%40ss%3Aw%2Frd%25@cache.example");

        Assert.Equal("app-user", options.User);
        Assert.Equal("p@ss:w/rd%", options.Password);
    }

    [Fact]
    public void Redis_URL_with_IPv6_host_is_an_IP_endpoint()
    {
        var options = Parse("redis://[::1]:6380");

        var endPoint = Assert.IsType<IPEndPoint>(Assert.Single(options.EndPoints));
        Assert.Equal(IPAddress.IPv6Loopback, endPoint.Address);
        Assert.Equal(6380, endPoint.Port);
    }

    [Fact]
    public void Redis_URL_with_IPv4_host_is_an_IP_endpoint()
    {
        var options = Parse("redis://127.0.0.1:6379/0");

        var endPoint = Assert.IsType<IPEndPoint>(Assert.Single(options.EndPoints));
        Assert.Equal(IPAddress.Loopback, endPoint.Address);
        Assert.Equal(0, options.DefaultDatabase);
    }

    [Theory]
    [InlineData("http://cache.example:6379", "the scheme 'http' is not redis or rediss")]
    [InlineData("https://cache.example", "the scheme 'https' is not redis or rediss")]
    [InlineData("", "it is empty")]
    [InlineData("   ", "it is empty")]
    [InlineData("redis://x:y@", "it is not a valid URL")]
    [InlineData("redis://", "it is not a valid URL")]
    [InlineData("redis://cache.example/abc", "'/abc' is not a database number")]
    [InlineData("redis://cache.example/-1", "'/-1' is not a database number")]
    public void Bad_address_is_refused_with_a_reason(string text, string reason)
    {
        Assert.Equal(reason, Refuse(text));
    }

    [Fact]
    public void Configuration_string_without_a_host_is_refused()
    {
        Refuse("password=s3cr3t");
    }

    [Fact]
    public void Host_name_with_a_space_is_refused()
    {
        Assert.Contains("is not a host name", Refuse("my host:6379"), StringComparison.Ordinal);
    }

    [Fact]
    public void Configuration_string_with_an_unknown_option_is_refused_without_throwing()
    {
        Refuse("redis:6379,nosuchoption=1");
    }

    [Theory]
    [InlineData("redis://user:s3cr3t@cache.example:6380/2")]
    [InlineData("rediss://user:s3cr3t@cache.example")]
    [InlineData("redis://s3cr3t@cache.example")]
    [InlineData("redis://:s3cr3t@[::1]:6379")]
    [InlineData("cache.example:6379,password=s3cr3t")]
    [InlineData("cache.example:6379,user=app,password=s3cr3t,ssl=true")]
    public void Describe_never_shows_the_password(string text)
    {
        var description = RedisAddress.Describe(Parse(text));

        Assert.DoesNotContain("s3cr3t", description, StringComparison.Ordinal);
        Assert.Contains(":", description, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_of_a_host_without_a_port_shows_the_port_that_will_be_used()
    {
        // REDIS_ADDR=redis (no port) connects to 6379; the "Connecting to" log line should say so.
        var options = Parse("redis");

        Assert.Equal("redis:6379", RedisAddress.Describe(options));
    }
}
