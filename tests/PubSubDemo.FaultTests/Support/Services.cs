using PubSubDemo.Shared.Configuration;
using PubSubDemo.Messaging.Configuration;

namespace PubSubDemo.FaultTests.Support;

/// <summary>The settings every fault test gives its services, so each test states only what it is about.</summary>
internal static class Services
{
    /// <summary>A subscriber process that prints one line per message and a summary every second.</summary>
    public static async Task<ServiceProcess> StartSubscriberAsync(string address, IDictionary<string, string?> settings) =>
        (await StartSubscribersAsync(address, [settings]))[0];

    /// <summary>Several subscriber processes, started side by side (a .NET process takes a while to start on two cores).</summary>
    public static async Task<List<ServiceProcess>> StartSubscribersAsync(string address, IEnumerable<IDictionary<string, string?>> settings)
    {
        var processes = settings.Select(s =>
        {
            var environment = new Dictionary<string, string?>(s)
            {
                ["REDIS_ADDR"] = address,
                ["LOG_MESSAGES"] = "true",
            };
            environment.TryAdd("SUMMARY_INTERVAL", "1s");
            return ServiceProcess.Start("Subscriber", environment);
        }).ToList();
        try
        {
            foreach (var process in processes)
            {
                await WaitConsumingAsync(process);
            }
        }
        catch
        {
            foreach (var process in processes)
            {
                await process.DisposeAsync();
            }

            throw;
        }

        return processes;
    }

    private static async Task WaitConsumingAsync(ServiceProcess process)
    {
        try
        {
            await Wait.UntilAsync(
                () => process.Printed("Consuming ") || process.Printed("Subscribed to ") || process.HasExited,
                "the subscriber process starts consuming",
                TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}. Output:\n{ServiceOutput.Tail(process.Output)}", ex);
        }

        Assert.False(process.HasExited, $"The subscriber exited at start. Output:\n{ServiceOutput.Tail(process.Output)}");
    }

    /// <summary>A publisher in this process; its messages are <c>sender-1</c> .. <c>sender-N</c>, see <see cref="SentIds"/>.</summary>
    public static ServiceHost Publisher(string address, IDictionary<string, string?> settings) =>
        ServiceHost.Publisher(address, settings);

    /// <summary>The publisher's sender id, the prefix of every message id it makes.</summary>
    public static string Sender(ServiceHost publisher) => publisher.Get<MessagingSettings>().SenderId;

    /// <summary>The ids of the first <paramref name="count"/> messages a publisher makes.</summary>
    public static IEnumerable<string> SentIds(ServiceHost publisher, int count)
    {
        var sender = Sender(publisher);
        return Enumerable.Range(1, count).Select(i => $"{sender}-{i}");
    }

    public static string Name(string purpose) => $"{purpose}-{Guid.NewGuid().ToString("N")[..6]}";
}
