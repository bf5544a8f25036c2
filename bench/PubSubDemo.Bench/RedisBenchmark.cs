using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace PubSubDemo.Bench;

/// <summary>One redis-benchmark figure: the server's own limit for a command, measured on this machine in this run.</summary>
internal sealed record ServerFigure(
    string Key,
    string Command,
    int Clients,
    int Pipeline,
    int Subscribers,
    int Requests,
    double RequestsPerSecond,
    double P50Ms,
    double CpuRedisPercent,
    long SubscribersAfter);

/// <summary>Runs redis-benchmark with custom commands (PUBLISH, RPUSH, XADD) carrying a payload as large as the publisher's.</summary>
internal sealed partial class RedisBenchmark(RedisServer server, BenchOptions options, Action<string> log)
{
    public async Task<IReadOnlyList<ServerFigure>> RunAllAsync(string payload)
    {
        var figures = new List<ServerFigure>();
        foreach (var (key, command) in new[] { ("publish", new[] { "PUBLISH", "bench:rb:channel", payload }), ("rpush", ["RPUSH", "bench:rb:list", payload]), ("xadd", ["XADD", "bench:rb:stream", "*", "data", payload]) })
        {
            figures.Add(await RunAsync($"{key}-1conn", command, clients: 1, pipeline: 1, options.UnpipelinedRequests));
            figures.Add(await RunAsync($"{key}-50conn-p16", command, clients: 50, pipeline: 16, options.PipelinedRequests));
            await server.FlushAsync();
        }

        foreach (var subscribers in new[] { 1, 3 })
        {
            var publish = new[] { "PUBLISH", "bench:rb:channel", payload };
            figures.Add(await RunWithSubscribersAsync($"publish-50conn-p16-{subscribers}sub", publish, subscribers));
        }

        return figures;
    }

    private async Task<ServerFigure> RunWithSubscribersAsync(string key, string[] command, int subscribers)
    {
        var listeners = new List<Process>();
        try
        {
            for (var i = 0; i < subscribers; i++)
            {
                // redis-cli prints every message; /dev/null takes it without a pipe the benchmark would have to read.
                var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
                foreach (var argument in new[] { "-c", "exec redis-cli -p \"$1\" subscribe \"$2\" > /dev/null", "sh", server.Port.ToString(CultureInfo.InvariantCulture), command[1] })
                {
                    start.ArgumentList.Add(argument);
                }

                listeners.Add(Process.Start(start)!);
            }

            await Wait.UntilAsync(async () => await server.SubscribersAsync(command[1]) == subscribers, TimeSpan.FromSeconds(10), $"{subscribers} redis-cli subscribers on {command[1]}");
            var figure = await RunAsync(key, command, clients: 50, pipeline: 16, options.PipelinedRequests, subscribers);
            return figure with { SubscribersAfter = await server.SubscribersAsync(command[1]) };
        }
        finally
        {
            foreach (var listener in listeners)
            {
                await Proc.StopAsync(listener, TimeSpan.FromSeconds(5));
                listener.Dispose();
            }
        }
    }

    public async Task<ServerFigure> RunAsync(string key, string[] command, int clients, int pipeline, int requests, int subscribers = 0)
    {
        var start = new ProcessStartInfo("redis-benchmark") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
        {
            "-h", "127.0.0.1", "-p", server.Port.ToString(CultureInfo.InvariantCulture),
            "-c", clients.ToString(CultureInfo.InvariantCulture), "-P", pipeline.ToString(CultureInfo.InvariantCulture),
            "-n", requests.ToString(CultureInfo.InvariantCulture), "--csv",
        }.Concat(command))
        {
            start.ArgumentList.Add(argument);
        }

        var cpuBefore = Proc.CpuSeconds(server.Pid) ?? 0;
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("redis-benchmark did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var cpu = ((Proc.CpuSeconds(server.Pid) ?? 0) - cpuBefore) / clock.Elapsed.TotalSeconds * 100;
        var text = await output;
        var row = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => CsvTail().Match(line)).LastOrDefault(m => m.Success)
            ?? throw new InvalidOperationException($"redis-benchmark printed no figures for {key}: {await errors}{text}");
        var figure = new ServerFigure(key, command[0], clients, pipeline, subscribers, requests,
            Number(row.Groups["rps"].Value), Number(row.Groups["p50"].Value), Math.Round(cpu), subscribers);
        log($"redis-benchmark {key,-28} {figure.RequestsPerSecond,12:N0} req/s   p50 {figure.P50Ms:0.000} ms   redis-server CPU {cpu:0}%");
        return figure;
    }

    private static double Number(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    // The test name holds the payload, quotes and all; the figures are the last seven quoted numbers of the row.
    [GeneratedRegex("\"(?<rps>[0-9.]+)\",\"(?<avg>[0-9.]+)\",\"(?<min>[0-9.]+)\",\"(?<p50>[0-9.]+)\",\"(?<p95>[0-9.]+)\",\"(?<p99>[0-9.]+)\",\"(?<max>[0-9.]+)\"\\s*$")]
    private static partial Regex CsvTail();
}

/// <summary>Polling with a deadline: every wait in the benchmark ends, with a message saying what did not happen.</summary>
internal static class Wait
{
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"gave up after {timeout.TotalSeconds:0.#} s waiting for {what}");
            }

            await Task.Delay(20);
        }
    }
}
