using System.Text;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;

namespace PubSubDemo.UnitTests.Contract;

public sealed class ExcerptTests
{
    [Fact]
    public void Short_printable_payload_is_returned_as_is()
    {
        Assert.Equal("""{"id":"a"}""", MessageReader.Excerpt("""{"id":"a"}"""u8));
    }

    [Fact]
    public void Long_payload_is_cut_to_maxChars_with_an_ellipsis()
    {
        var excerpt = MessageReader.Excerpt(Encoding.UTF8.GetBytes(new string('x', 10_000)), maxChars: 80);

        Assert.Equal(new string('x', 80) + "…", excerpt);
    }

    [Fact]
    public void Control_characters_are_replaced_so_the_excerpt_stays_on_one_line()
    {
        var excerpt = MessageReader.Excerpt("a\nb\r\nc\td\0e\u001b[31mf\u007f\u0085g"u8.ToArray());

        Assert.DoesNotContain(excerpt, char.IsControl);
        Assert.StartsWith("a·b··c·d·e·[31mf", excerpt, StringComparison.Ordinal);
    }

    [Fact]
    public void Binary_payload_gives_a_short_excerpt_without_control_characters()
    {
        var payload = new byte[4096];
        new Random(42).NextBytes(payload);

        var excerpt = MessageReader.Excerpt(payload, maxChars: 80);

        Assert.InRange(excerpt.Length, 1, 81);
        Assert.DoesNotContain(excerpt, char.IsControl);
    }

    [Fact]
    public void Multi_byte_text_cut_mid_character_does_not_throw()
    {
        var payload = Encoding.UTF8.GetBytes(new string('日', 200));

        var excerpt = MessageReader.Excerpt(payload, maxChars: 10);

        Assert.Equal(new string('日', 10) + "…", excerpt);
    }

    [Fact]
    public void Empty_payload_gives_an_empty_excerpt()
    {
        Assert.Equal("", MessageReader.Excerpt(ReadOnlySpan<byte>.Empty));
    }
}
