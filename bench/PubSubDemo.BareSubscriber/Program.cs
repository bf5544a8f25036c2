using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using StackExchange.Redis;

// A bare StackExchange.Redis subscriber: SUBSCRIBE CHANNEL through a ChannelMessageQueue, read each message's
// timestamp, record now minus it. No host, no logging, no telemetry: the floor the library's own client sets.
// Settings as the bench gives every process: REDIS_ADDR, CHANNEL, STATS_FILE, STATS_WARMUP_SECONDS. On SIGTERM it
// writes its figures (the same fields as bench/reference/figures.py) and exits.
using var stop = new CancellationTokenSource();
using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.Cancel();
});

var address = Environment.GetEnvironmentVariable("REDIS_ADDR") ?? "localhost:6379";
var channel = Environment.GetEnvironmentVariable("CHANNEL") ?? throw new InvalidOperationException("CHANNEL is not set");
var statsFile = Environment.GetEnvironmentVariable("STATS_FILE") ?? throw new InvalidOperationException("STATS_FILE is not set");
var warmup = TimeSpan.FromSeconds(double.Parse(Environment.GetEnvironmentVariable("STATS_WARMUP_SECONDS") ?? "2", System.Globalization.CultureInfo.InvariantCulture));

await using var connection = await ConnectionMultiplexer.ConnectAsync(address);
var queue = await connection.GetSubscriber().SubscribeAsync(RedisChannel.Literal(channel));
var latencies = new List<double>(1 << 17);
long handled = 0;
long firstAt = 0;
Console.WriteLine("ready");
try
{
    while (true)
    {
        var message = await queue.ReadAsync(stop.Token);
        var micros = (DateTimeOffset.UtcNow - Timestamp(message.Message)).TotalMicroseconds;
        var now = Stopwatch.GetTimestamp();
        if (handled++ == 0)
        {
            firstAt = now;
        }

        if (Stopwatch.GetElapsedTime(firstAt, now) >= warmup)
        {
            latencies.Add(micros);
        }
    }
}
catch (OperationCanceledException)
{
}

latencies.Sort();
double At(double q) => latencies.Count == 0 ? 0 : Math.Round(latencies[Math.Min(latencies.Count - 1, (int)(q * latencies.Count))] / 1000, 4);
using (var file = File.Create(statsFile))
using (var json = new Utf8JsonWriter(file))
{
    json.WriteStartObject();
    json.WriteNumber("handled", handled);
    json.WriteNumber("count", latencies.Count);
    json.WriteNumber("p50Ms", At(0.50));
    json.WriteNumber("p99Ms", At(0.99));
    json.WriteNumber("p999Ms", At(0.999));
    json.WriteNumber("maxMs", latencies.Count == 0 ? 0 : Math.Round(latencies[^1] / 1000, 4));
    json.WriteEndObject();
}

return 0;

// The wire format's "timestamp": an ISO 8601 string (the reference publisher writes one with an offset).
static DateTimeOffset Timestamp(RedisValue payload)
{
    var reader = new Utf8JsonReader((byte[])payload!);
    while (reader.Read())
    {
        if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("timestamp"u8) && reader.Read() && reader.TryGetDateTimeOffset(out var value))
        {
            return value;
        }
    }

    throw new InvalidDataException("a message without a timestamp");
}
