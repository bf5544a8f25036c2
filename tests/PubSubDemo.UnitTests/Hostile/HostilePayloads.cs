using System.Text;
using CsCheck;

namespace PubSubDemo.UnitTests.Hostile;

/// <summary>Generators of what another client, a bug or an attacker may put on the channel, the queue or the stream.</summary>
internal static class HostilePayloads
{
    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];

    public static string Good(string id = "m-1", string timestamp = "2026-11-24T10:30:15.1234567+00:00") =>
        $$"""{"id":"{{id}}","content":"hello","timestamp":"{{timestamp}}","sender":"s","seq":1}""";

    /// <summary>Any bytes at all.</summary>
    public static readonly Gen<byte[]> RandomBytes = Gen.Byte.Array[0, 600];

    /// <summary>A good message with bytes that are not UTF-8 (lone continuation bytes, overlongs, surrogates) spliced in.</summary>
    public static readonly Gen<byte[]> InvalidUtf8 =
        Gen.Select(Gen.Int[0, 60], Gen.OneOf(Gen.Const<byte[]>([0x80]), Gen.Const<byte[]>([0xC0, 0xAF]), Gen.Const<byte[]>([0xED, 0xA0, 0x80]), Gen.Const<byte[]>([0xFF]), Gen.Const<byte[]>([0xF4, 0x90, 0x80, 0x80])),
            byte[] (at, bad) =>
            {
                var good = Encoding.UTF8.GetBytes(Good());
                at = Math.Min(at, good.Length);
                return [.. good[..at], .. bad, .. good[at..]];
            });

    /// <summary>Deep nesting of arrays or objects, in the message or instead of it, up to 10,000 levels.</summary>
    public static readonly Gen<byte[]> Nesting =
        Gen.Select(Gen.Int[1, 10_000], Gen.Bool, Gen.Bool, (depth, arrays, inside) =>
        {
            var open = arrays ? string.Concat(Enumerable.Repeat("[", depth)) : string.Concat(Enumerable.Repeat("{\"a\":", depth));
            var close = arrays ? new string(']', depth) : new string('}', depth);
            var nested = $"{open}1{close}";
            return Encoding.UTF8.GetBytes(inside ? Good().Replace("\"hello\"", nested, StringComparison.Ordinal) : nested);
        });

    /// <summary>Numbers that no field can hold: huge, tiny, non-finite spellings, fractions where a count goes.</summary>
    public static readonly Gen<byte[]> Numbers =
        Gen.Select(Gen.OneOf(Gen.Const("1e400"), Gen.Const("-1e400"), Gen.Const("NaN"), Gen.Const("Infinity"), Gen.Const("-Infinity"), Gen.Const("1.5"),
                Gen.Const("99999999999999999999999999"), Gen.Const("-0"), Gen.Const("1e-400"), Gen.Long.Select(l => l.ToString(System.Globalization.CultureInfo.InvariantCulture))),
            Gen.OneOf(Gen.Const("seq"), Gen.Const("count"), Gen.Const("id"), Gen.Const("timestamp"), Gen.Const("content")),
            (number, field) => Encoding.UTF8.GetBytes(Good().Replace("\"seq\":1", "\"seq\":1,\"" + field + "\":" + number, StringComparison.Ordinal)));

    /// <summary>The same key twice, with different values that are each valid on their own.</summary>
    public static readonly Gen<byte[]> DuplicateKeys =
        Gen.OneOf(Gen.Const("\"id\":\"first\""), Gen.Const("\"content\":\"first\""), Gen.Const("\"timestamp\":\"2020-01-01T00:00:00Z\""), Gen.Const("\"seq\":7"), Gen.Const("\"sender\":\"first\""))
            .Select(first => Encoding.UTF8.GetBytes("{" + first + "," + Good()[1..]));

    /// <summary>Timestamps at and beyond the ends of what a DateTimeOffset holds, and nonsense in their place.</summary>
    public static readonly Gen<byte[]> Timestamps =
        Gen.OneOf(Gen.Const("9999-12-31T23:59:59.9999999-14:00"), Gen.Const("0001-01-01T00:00:00+14:00"), Gen.Const("0000-01-01T00:00:00Z"),
                Gen.Const("10000-01-01T00:00:00Z"), Gen.Const("2026-02-30T00:00:00Z"), Gen.Const("2026-11-24T25:61:61Z"), Gen.Const(""),
                Gen.Const("\\u0032\\u0030\\u0032\\u0036-11-24T10:30:15Z"), Gen.Const("2026-11-24T10:30:15+99:99"), Gen.Const("2026-11-24"),
                Gen.Const("9999-12-31T23:59:59.9999999"), Gen.String[0, 40].Select(s => s.Replace("\\", "", StringComparison.Ordinal).Replace("\"", "", StringComparison.Ordinal)))
            .Select(timestamp => Encoding.UTF8.GetBytes(Good(timestamp: timestamp)));

    /// <summary>A good message behind a byte-order mark.</summary>
    public static readonly Gen<byte[]> WithBom = Gen.Const(() => (byte[])[.. Bom, .. Encoding.UTF8.GetBytes(Good())]);

    /// <summary>Text that is JSON but not a message: other shapes, wrong types, nulls.</summary>
    public static readonly Gen<byte[]> WrongShapes =
        Gen.OneOf(Gen.Const("null"), Gen.Const("[]"), Gen.Const("\"text\""), Gen.Const("42"), Gen.Const("{}"), Gen.Const("{\"id\":null,\"content\":\"x\",\"timestamp\":\"2026-11-24T10:30:15Z\"}"),
                Gen.Const("{\"id\":{},\"content\":\"x\",\"timestamp\":\"2026-11-24T10:30:15Z\"}"), Gen.Const("{\"id\":\"a\",\"content\":[1],\"timestamp\":\"2026-11-24T10:30:15Z\"}"),
                Gen.Const("{\"id\":\"a\",\"content\":\"x\",\"timestamp\":123}"), Gen.Const("{\"id\":\"a\"" + new string(' ', 100) + "}"), Gen.Const(Good()[..^1]), Gen.Const(Good() + "garbage"))
            .Select(Encoding.UTF8.GetBytes);

    /// <summary>Everything above, mixed.</summary>
    public static readonly Gen<byte[]> Any = Gen.OneOf(RandomBytes, InvalidUtf8, Nesting, Numbers, DuplicateKeys, Timestamps, WithBom, WrongShapes);
}
