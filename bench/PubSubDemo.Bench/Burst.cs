using System.Globalization;
using PubSubDemo.Shared.Contract;
using PubSubDemo.Messaging.Contract;
using EnvNames = PubSubDemo.Shared.Configuration.EnvironmentNames;

namespace PubSubDemo.Bench;

/// <summary>One burst into our subscribers: how much each received and shed, and whether the server cut any of them off.</summary>
internal sealed record BurstFigures(
    string Key,
    string Title,
    int Subscribers,
    long Sent,
    double SentPerSecond,
    IReadOnlyList<long> Received,
    IReadOnlyList<long> Dropped,
    long SubscriberDisconnects,
    long ServerDisconnects,
    double LoadBefore)
{
    public double LowestFraction => Sent > 0 && Received.Count > 0 ? (double)Received.Min() / Sent : 0;
}

/// <summary>
/// A redis-benchmark burst (BenchOptions.BurstRequests pipelined PUBLISH of a real message, 50 connections, pipeline
/// 16) into one and into three of our subscribers. The server's log says when it closed a client for its output-buffer
/// limit ("overcoming of output buffer limits"); each subscriber's STATS_FILE says what it received, shed, and how
/// often it saw itself disconnected that way.
/// </summary>
internal sealed class Burst(RedisServer server, RedisBenchmark benchmark, BenchOptions options, string runFolder, string serverLog, Action<string> log)
{
    public async Task<IReadOnlyList<BurstFigures>> RunAllAsync(string payload)
    {
        var figures = new List<BurstFigures>();
        foreach (var count in new[] { 1, 3 })
        {
            figures.Add(await RunAsync(count, payload));
        }

        return figures;
    }

    private async Task<BurstFigures> RunAsync(int count, string payload)
    {
        await server.FlushAsync();
        var key = $"burst-{count}";
        var channel = $"bench:{key}:channel";
        var folder = Path.Combine(runFolder, key);
        Directory.CreateDirectory(folder);
        var load = Proc.LoadAverage();
        var subscribers = new List<ServiceProcess>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                subscribers.Add(ServiceProcess.Start(ServicePrograms.Subscriber(options), $"subscriber-{i + 1}", folder, new Dictionary<string, string>
                {
                    [EnvNames.RedisAddr] = server.Address, [EnvNames.Pattern] = "pubsub", [EnvNames.Channel] = channel,
                    [EnvNames.LogMessages] = "false", [EnvNames.SummaryInterval] = "5s",
                }));
            }

            await Wait.UntilAsync(async () => await server.SubscribersAsync(channel) == count, TimeSpan.FromSeconds(30), $"{count} subscribers on {channel}");
            var closedBefore = ServerClosures();
            var sent = await benchmark.RunAsync(key, ["PUBLISH", channel, payload], clients: 50, pipeline: 16, options.BurstRequests, count);

            // What is on its way sits in the subscribers' buffers or their socket: wait until the counts stop moving.
            await Task.Delay(options.Quick ? 500 : 2000);
            await Task.WhenAll(subscribers.Select(s => s.StopAsync()));
            var sources = subscribers.Select(s => StatsFiles.ReadSubscriber(s.StatsFile).Sources.Single(x => x.Source == "channel")).ToList();
            var figure = new BurstFigures(key, $"redis-benchmark burst, {count} subscriber{(count > 1 ? "s" : "")}", count, options.BurstRequests, sent.RequestsPerSecond,
                [.. sources.Select(s => s.Received)], [.. sources.Select(s => s.Dropped)], sources.Sum(s => s.SlowDisconnects), ServerClosures() - closedBefore, load);
            log(string.Create(CultureInfo.InvariantCulture,
                $"  {figure.Title,-34} {sent.RequestsPerSecond:N0} PUBLISH/s; received {string.Join(", ", sources.Select(s => $"{(double)s.Received / options.BurstRequests:P0}"))}; shed {string.Join(", ", figure.Dropped.Select(d => d.ToString("N0", CultureInfo.InvariantCulture)))}; disconnected by the server {figure.ServerDisconnects} (the subscribers said so {figure.SubscriberDisconnects})"));
            return figure;
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException or IOException or System.Text.Json.JsonException)
        {
            log($"  burst into {count}: FAILED: {ex.Message}");
            return new BurstFigures(key, $"redis-benchmark burst, {count} subscribers: failed: {ex.Message.Split('\n')[0]}", count, 0, 0, [], [], 0, 0, load);
        }
        finally
        {
            foreach (var subscriber in subscribers)
            {
                await subscriber.DisposeAsync();
            }
        }
    }

    /// <summary>Clients the server closed for their output buffer, from its log.</summary>
    private long ServerClosures()
    {
        try
        {
            using var stream = new FileStream(serverLog, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            long count = 0;
            while (reader.ReadLine() is { } line)
            {
                if (line.Contains("output buffer limits", StringComparison.Ordinal))
                {
                    count++;
                }
            }

            return count;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
