using System.Net;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Messaging.Configuration;

namespace PubSubDemo.UnitTests.Configuration;

public sealed class RedisSettingsTests
{
    [Fact]
    public void Nothing_set_means_localhost_6379()
    {
        var (settings, errors) = TestSettings.Load<RedisSettings>();

        Assert.Empty(errors);
        Assert.Equal("localhost:6379", settings.Address);
        Assert.Equal("localhost:6379", RedisAddress.Describe(settings.Options));
    }

    [Fact]
    public void REDIS_HOST_and_REDIS_PORT_are_used_when_REDIS_ADDR_is_unset()
    {
        var (settings, errors) = TestSettings.Load<RedisSettings>(("REDIS_HOST", "redis-server"), ("REDIS_PORT", "6380"));

        Assert.Empty(errors);
        Assert.Equal("redis-server:6380", settings.Address);
        var endPoint = Assert.IsType<DnsEndPoint>(Assert.Single(settings.Options.EndPoints));
        Assert.Equal("redis-server", endPoint.Host);
        Assert.Equal(6380, endPoint.Port);
    }

    [Fact]
    public void REDIS_HOST_alone_uses_port_6379()
    {
        var (settings, errors) = TestSettings.Load<RedisSettings>(("REDIS_HOST", "redis-server"));

        Assert.Empty(errors);
        Assert.Equal("redis-server:6379", RedisAddress.Describe(settings.Options));
    }

    [Fact]
    public void REDIS_HOST_holding_an_IPv6_address_is_bracketed()
    {
        var (settings, errors) = TestSettings.Load<RedisSettings>(("REDIS_HOST", "::1"), ("REDIS_PORT", "6380"));

        Assert.Empty(errors);
        var endPoint = Assert.IsType<IPEndPoint>(Assert.Single(settings.Options.EndPoints));
        Assert.Equal(IPAddress.IPv6Loopback, endPoint.Address);
        Assert.Equal(6380, endPoint.Port);
    }

    [Fact]
    public void REDIS_ADDR_wins_over_REDIS_HOST_and_REDIS_PORT()
    {
        var (settings, errors) = TestSettings.Load<RedisSettings>(
            ("REDIS_ADDR", "redis://primary:7000"), ("REDIS_HOST", "other"), ("REDIS_PORT", "1234"));

        Assert.Empty(errors);
        Assert.Equal("primary:7000", RedisAddress.Describe(settings.Options));
    }

    [Fact]
    public void Blank_REDIS_ADDR_counts_as_unset()
    {
        var (settings, errors) = TestSettings.Load<RedisSettings>(("REDIS_ADDR", " "), ("REDIS_HOST", "redis-server"));

        Assert.Empty(errors);
        Assert.Equal("redis-server:6379", RedisAddress.Describe(settings.Options));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("65536")]
    [InlineData("http")]
    public void Bad_REDIS_PORT_is_an_error_naming_REDIS_PORT(string port)
    {
        var (_, errors) = TestSettings.Load<RedisSettings>(("REDIS_HOST", "redis-server"), ("REDIS_PORT", port));

        Assert.Equal($"REDIS_PORT='{port}' is not valid: use a whole number from 1 to 65535.", Assert.Single(errors));
    }

    [Fact]
    public void Bad_REDIS_ADDR_is_one_error_naming_the_variable_the_value_and_the_allowed_forms()
    {
        var (_, errors) = TestSettings.Load<RedisSettings>(("REDIS_ADDR", "http://cache.example"));

        var error = Assert.Single(errors);
        Assert.StartsWith("REDIS_ADDR='http://cache.example' is not valid: the scheme 'http' is not redis or rediss; ", error, StringComparison.Ordinal);
        Assert.Contains(RedisAddress.Allowed, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_REDIS_HOST_is_reported_under_REDIS_HOST()
    {
        // The user set REDIS_HOST, not REDIS_ADDR; the error line must name the variable they can fix.
        var (_, errors) = TestSettings.Load<RedisSettings>(("REDIS_HOST", "my redis"));

        var error = Assert.Single(errors);
        Assert.True(error.StartsWith("REDIS_HOST='my redis' is not valid", StringComparison.Ordinal), error);
    }

    [Theory]
    [InlineData("redis://app:s3cr3t@cache.example/notadb")]
    [InlineData("cache.example:6379,password=s3cr3t,nosuchoption=1")]
    public void Error_for_a_bad_REDIS_ADDR_does_not_print_the_password(string address)
    {
        // The error goes to stderr and from there to container logs.
        var (_, errors) = TestSettings.Load<RedisSettings>(("REDIS_ADDR", address));

        var error = Assert.Single(errors);
        Assert.StartsWith("REDIS_ADDR=", error, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", error, StringComparison.Ordinal);
    }
}
