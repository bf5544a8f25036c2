using System.Text;

namespace PubSubDemo.Messaging.Contract;

/// <summary>
/// What goes to <c>&lt;queue&gt;:dead</c> or <c>&lt;stream&gt;:dead</c>: why it was set aside, and the original payload
/// verbatim: as text when it is valid UTF-8, else in <see cref="PayloadBase64"/>.
/// </summary>
internal sealed record DeadLetter(
    string Reason,
    string? Payload,
    string Consumer,
    DateTimeOffset At,
    int Attempts,
    string? PayloadBase64 = null)
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static DeadLetter For(ReadOnlySpan<byte> payload, string reason, string consumer, DateTimeOffset at, int attempts)
    {
        try
        {
            return new(reason, StrictUtf8.GetString(payload), consumer, at, attempts);
        }
        catch (DecoderFallbackException)
        {
            return new(reason, null, consumer, at, attempts, Convert.ToBase64String(payload));
        }
    }

    /// <summary>The bytes that were set aside, to inspect or push back onto the queue.</summary>
    public byte[] OriginalPayload() =>
        PayloadBase64 is not null ? Convert.FromBase64String(PayloadBase64) : Encoding.UTF8.GetBytes(Payload ?? "");
}
