using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using PubSubDemo.Messaging.Consumers;
using StackExchange.Redis;

namespace PubSubDemo.UnitTests.Subscriber;

public sealed class DeadLetterTests
{
    private static readonly DateTimeOffset Now = new(2025, 7, 29, 10, 30, 15, TimeSpan.Zero);

    private static DeadLetter Open(RedisValue envelope) =>
        JsonSerializer.Deserialize((byte[])envelope!, MessageJsonContext.Default.DeadLetter)!;

    [Fact]
    public void Dead_letter_keeps_the_payload_and_says_why_who_when_and_how_often()
    {
        var payload = """{"id":"pub-9","content":"Message #13","timestamp":"2025-07-29T10:30:14.0000000+00:00"}""";

        var letter = Open(DeadLetters.Envelope("worker-1", new FakeTimeProvider(Now), payload, "handler failed: boom", 5));

        Assert.Equal(new DeadLetter("handler failed: boom", payload, "worker-1", Now, 5), letter);
    }

    [Fact]
    public void Dead_letter_keeps_a_non_UTF8_payload_verbatim()
    {
        // Malformed queue items are dead-lettered; "the original payload, verbatim" must hold for binary garbage too.
        byte[] payload = [0xFF, 0xFE, 0x00, 0x41, 0xC3];

        var letter = Open(DeadLetters.Envelope("worker-1", new FakeTimeProvider(Now), payload, "not a JSON message", 1));

        Assert.Equal(payload, letter.OriginalPayload());
    }
}
