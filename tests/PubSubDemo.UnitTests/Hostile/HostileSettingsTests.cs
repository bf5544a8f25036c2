using CsCheck;
using PubSubDemo.Shared.Configuration;
using PubSubDemo.Messaging.Configuration;

namespace PubSubDemo.UnitTests.Hostile;

/// <summary>The address and duration parsers under any text: no exception, an answer or a reason, and no password shown.</summary>
public sealed class HostileSettingsTests
{
    private static readonly Gen<string> Secret = Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789"].Array[8, 24].Select(c => new string(c));

    /// <summary>Pieces of addresses, glued at random: schemes, hosts, ports, user info, options, junk.</summary>
    private static readonly Gen<string> AddressLike = Gen.Select(
        Gen.OneOf(Gen.Const(""), Gen.Const("redis://"), Gen.Const("rediss://"), Gen.Const("http://"), Gen.Const("redis:/"), Gen.Const("://")),
        Gen.OneOf(Gen.Const(""), Gen.Const("user:pw@"), Gen.Const(":pw@"), Gen.Const("pw@"), Gen.Const("@"), Gen.Const("a:b:c@"), Gen.Const("%zz@")),
        Gen.OneOf(Gen.Const("localhost"), Gen.Const("[::1]"), Gen.Const("::1"), Gen.Const("127.0.0.1"), Gen.Const(""), Gen.Const("[bad"), Gen.Const("h o s t"), Gen.String[0, 12]),
        Gen.OneOf(Gen.Const(""), Gen.Const(":6379"), Gen.Const(":0"), Gen.Const(":65536"), Gen.Const(":-1"), Gen.Const(":99999999999"), Gen.Const(":x")),
        Gen.OneOf(Gen.Const(""), Gen.Const("/0"), Gen.Const("/-1"), Gen.Const("/99999999999"), Gen.Const("/x"), Gen.Const(",password=p"), Gen.Const(",ssl=maybe"), Gen.Const(",,,"), Gen.Const(",connectTimeout=-5"), Gen.Const(",=")),
        (scheme, user, host, port, tail) => scheme + user + host + port + tail);

    [Fact]
    public void Any_text_as_REDIS_ADDR_is_parsed_or_refused_with_a_reason() =>
        Gen.OneOf(Gen.String, AddressLike).Sample(text =>
        {
            var ok = RedisAddress.TryParse(text, out var options, out var error);
            Assert.True(ok ? error is null && options.EndPoints.Count > 0 : !string.IsNullOrWhiteSpace(error), $"'{text}': ok={ok}, error={error}");
            _ = RedisAddress.Redact(text);
        }, iter: 20_000);

    [Fact]
    public void A_password_in_a_URL_never_survives_redaction() =>
        Gen.Select(Secret, Gen.OneOf(Gen.Const("redis://"), Gen.Const("rediss://"), Gen.Const("REDIS://")), Gen.OneOf(Gen.Const(""), Gen.Const("user:"), Gen.Const(":")), Gen.OneOf(Gen.Const("host"), Gen.Const("127.0.0.1:6380/2"), Gen.Const("[::1]:1")))
            .Sample((secret, scheme, user, host) =>
            {
                var url = $"{scheme}{user}{secret}@{host}";
                Assert.DoesNotContain(secret, RedisAddress.Redact(url), StringComparison.Ordinal);
            }, iter: 2_000);

    [Fact]
    public void A_password_in_a_configuration_string_never_survives_redaction() =>
        Gen.Select(Secret, Gen.OneOf(Gen.Const("password="), Gen.Const("Password = "), Gen.Const("PASSWORD=")), Gen.OneOf(Gen.Const(""), Gen.Const(",ssl=true")))
            .Sample((secret, key, tail) =>
            {
                var text = $"cache:6379,{key}{secret}{tail}";
                Assert.DoesNotContain(secret, RedisAddress.Redact(text), StringComparison.Ordinal);
            }, iter: 1_000);

    private static readonly Gen<string> DurationLike = Gen.Select(
        Gen.OneOf(Gen.Const("1e308"), Gen.Const("NaN"), Gen.Const("Infinity"), Gen.Const("-0"), Gen.Const("-1"), Gen.Const("99999999999999"), Gen.Const("0.0000001"), Gen.Const(""), Gen.Const("."), Gen.Double.Select(d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture)), Gen.String[0, 6]),
        Gen.OneOf(Gen.Const(""), Gen.Const("ms"), Gen.Const("us"), Gen.Const("s"), Gen.Const("m"), Gen.Const("h"), Gen.Const("H"), Gen.Const("d"), Gen.Const(":00"), Gen.Const(":99:99"), Gen.Const(":-1")),
        (number, unit) => number + unit);

    [Fact]
    public void Any_text_as_a_duration_is_a_duration_of_zero_or_more_or_refused() =>
        Gen.OneOf(Gen.String, DurationLike).Sample(text =>
        {
            if (DurationParser.TryParse(text, out var value))
            {
                Assert.True(value >= TimeSpan.Zero, $"'{text}' gave {value}");
                _ = DurationParser.Format(value);
            }
        }, iter: 20_000);
}
