using PubSubDemo.Shared.Configuration;
using PubSubDemo.Messaging.Configuration;
using PubSubDemo.Shared.Observability;
using PubSubDemo.Messaging.Observability;

namespace PubSubDemo.UnitTests.Trust;

/// <summary>REDIS_TLS_*, REDIS_PASSWORD_FILE and the *_BIND settings: what each accepts, and the one line for what it does not.</summary>
public sealed class TrustSettingsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pubsubdemo-settings-").FullName;

    [Theory]
    [InlineData("REDIS_TLS_CA")]
    [InlineData("REDIS_TLS_CERT")]
    public void A_missing_PEM_file_is_a_bad_setting_that_names_the_variable(string variable)
    {
        var missing = Path.Combine(_directory, "nope.pem");
        var (_, errors) = TestSettings.Load<RedisSettings>(("REDIS_ADDR", "rediss://cache:6380"), (variable, missing));
        Assert.Equal($"{variable}='{missing}' is not valid: no such file; use a PEM file.", Assert.Single(errors));
    }

    [Fact]
    public void A_file_that_is_not_PEM_is_a_bad_setting()
    {
        var garbage = Path.Combine(_directory, "garbage.pem");
        File.WriteAllText(garbage, "not a certificate");
        var (_, errors) = TestSettings.Load<RedisSettings>(("REDIS_ADDR", "rediss://cache:6380"), ("REDIS_TLS_CA", garbage));
        Assert.StartsWith($"REDIS_TLS_CA='{garbage}' is not valid: cannot read it as PEM: ", Assert.Single(errors));
    }

    [Fact]
    public void A_key_without_its_certificate_is_a_bad_setting()
    {
        var (_, errors) = TestSettings.Load<RedisSettings>(("REDIS_ADDR", "rediss://cache:6380"), ("REDIS_TLS_KEY", "/run/secrets/key.pem"));
        Assert.Contains("it needs REDIS_TLS_CERT", Assert.Single(errors));
    }

    [Fact]
    public void Without_TLS_settings_or_a_TLS_address_no_certificate_check_is_made()
    {
        var (settings, errors) = TestSettings.Load<RedisSettings>(("REDIS_ADDR", "cache:6379"));
        Assert.Empty(errors);
        Assert.Null(settings.CertificateCheck);
        Assert.False(settings.Options.Ssl);
    }

    [Fact]
    public void A_TLS_address_gets_the_certificate_check_even_without_a_CA_file()
    {
        var (settings, errors) = TestSettings.Load<RedisSettings>(("REDIS_ADDR", "cache:6380,ssl=true"));
        Assert.Empty(errors);
        Assert.NotNull(settings.CertificateCheck);
    }

    [Fact]
    public void The_password_file_supplies_the_password_without_its_trailing_newline()
    {
        var file = Path.Combine(_directory, "redis_password");
        File.WriteAllText(file, "from-the-secret\n");
        var (settings, errors) = TestSettings.Load<RedisSettings>(("REDIS_ADDR", "redis://app:@cache:6379"), ("REDIS_PASSWORD_FILE", file));
        Assert.Empty(errors);
        Assert.Equal("app", settings.Options.User);
        Assert.Equal("from-the-secret", settings.Options.Password);
    }

    [Theory]
    [InlineData("missing", "no such file")]
    [InlineData("empty", "the file is empty")]
    [InlineData("both", "REDIS_ADDR has a password too; give it in one place")]
    public void A_password_file_that_cannot_be_used_is_a_bad_setting(string problem, string reason)
    {
        var file = Path.Combine(_directory, problem);
        if (problem != "missing")
        {
            File.WriteAllText(file, problem == "empty" ? "\n" : "secret");
        }

        var address = problem == "both" ? "redis://:inline@cache:6379" : "cache:6379";
        var (_, errors) = TestSettings.Load<RedisSettings>(("REDIS_ADDR", address), ("REDIS_PASSWORD_FILE", file));
        var error = Assert.Single(errors);
        Assert.Equal($"REDIS_PASSWORD_FILE='{file}' is not valid: {reason}.", error);
        Assert.DoesNotContain("inline", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, null, "127.0.0.1")]
    [InlineData(null, "true", "+")]
    [InlineData(null, "false", "127.0.0.1")]
    [InlineData("*", null, "+")]
    [InlineData("+", null, "+")]
    [InlineData("0.0.0.0", null, "0.0.0.0")]
    [InlineData("::1", null, "[::1]")]
    [InlineData("[::1]", "true", "[::1]")]
    [InlineData("10.1.2.3", "true", "10.1.2.3")]
    public void Metrics_bind_loopback_outside_a_container_and_everywhere_inside_one(string? bind, string? container, string expected)
    {
        var (settings, errors) = TestSettings.Load<ObservabilitySettings>(("METRICS_BIND", bind), ("DOTNET_RUNNING_IN_CONTAINER", container));
        Assert.Empty(errors);
        Assert.Equal(expected, settings.MetricsBind);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("example.com")]
    [InlineData("1.2.3.4.5")]
    public void A_bind_that_is_not_an_address_is_a_bad_setting(string bind)
    {
        var (_, errors) = TestSettings.Load<ObservabilitySettings>(("METRICS_BIND", bind));
        Assert.Equal($"METRICS_BIND='{bind}' is not valid: use an IP address (127.0.0.1, 0.0.0.0, ::1) or * for every interface.", Assert.Single(errors));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
