using PubSubDemo.Shared.Configuration;
using PubSubDemo.Messaging.Configuration;

namespace PubSubDemo.Testing;

/// <summary>What a publisher host sends: ids are its instance name and a sequence number from 1.</summary>
internal static class Published
{
    public static string Sender(ServiceHost publisher) => publisher.Get<MessagingSettings>().InstanceName;

    public static List<string> Ids(ServiceHost publisher, int count)
    {
        var sender = Sender(publisher);
        return Enumerable.Range(1, count).Select(seq => $"{sender}-{seq}").ToList();
    }

    public static Dictionary<string, string?> With(this IDictionary<string, string?> settings, params (string Name, string? Value)[] more)
    {
        var result = new Dictionary<string, string?>(settings);
        foreach (var (name, value) in more)
        {
            result[name] = value;
        }

        return result;
    }
}
