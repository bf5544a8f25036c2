using System.Text;
using System.Text.Json;

namespace PubSubDemo.OutboxTests.Support;

/// <summary>The test's flat JSON message and what a receiver reads back from it.</summary>
public static class Payloads
{
    public static byte[] Create(string id, string key, int sequence) =>
        Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new Received(id, key, sequence)));

    public static Received Read(byte[] payload) => JsonSerializer.Deserialize<Received>(payload)!;

    public sealed record Received(string Id, string Key, int Sequence);

    /// <summary>
    /// Every id in <paramref name="expected"/> arrived; per key, the first arrivals came in sequence order; and the
    /// number of extra arrivals (resends) is returned for the test to judge.
    /// </summary>
    public static int AssertAllArrivedInOrder(IReadOnlyList<Received> received, IReadOnlyCollection<string> expected)
    {
        var seen = new HashSet<string>();
        var duplicates = 0;
        var lastPerKey = new Dictionary<string, int>();
        foreach (var message in received)
        {
            if (!seen.Add(message.Id))
            {
                duplicates++;
                continue;
            }

            if (lastPerKey.TryGetValue(message.Key, out var last))
            {
                Assert.True(message.Sequence == last + 1, $"key {message.Key}: sequence {message.Sequence} arrived after {last}");
            }

            lastPerKey[message.Key] = message.Sequence;
        }

        var missing = expected.Where(id => !seen.Contains(id)).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} of {expected.Count} messages never arrived");
        Assert.Equal(expected.Count, seen.Count);
        return duplicates;
    }
}
