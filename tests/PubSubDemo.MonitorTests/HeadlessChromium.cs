using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PubSubDemo.MonitorTests;

/// <summary>
/// Debian's chromium, headless, driven over the Chrome DevTools protocol (a WebSocket, no driver to install):
/// open a page, read what it shows with a script, take a screenshot.
/// </summary>
public sealed class HeadlessChromium : IAsyncDisposable
{
    public const string InstallHint = "apt-get install -y chromium";

    private static readonly string[] BrowserNames = ["chromium", "chromium-browser", "google-chrome"];

    private readonly Process _process;
    private readonly string _profile;
    private readonly ClientWebSocket _socket = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonNode?>> _pending = new();
    private readonly CancellationTokenSource _closing = new();
    private Task? _receiving;
    private int _nextId;

    private HeadlessChromium(Process process, string profile)
    {
        _process = process;
        _profile = profile;
    }

    public static string? FindExecutable()
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/bin").Append("/usr/local/bin");
        return path
            .SelectMany(dir => BrowserNames.Select(name => Path.Combine(dir, name)))
            .FirstOrDefault(File.Exists);
    }

    public static async Task<HeadlessChromium> StartAsync(int width, int height)
    {
        var executable = FindExecutable() ?? throw new InvalidOperationException(
            $"The monitor page test needs a real browser: install Debian's Chromium ({InstallHint}).");
        var profile = Directory.CreateTempSubdirectory("pubsubdemo-chromium-").FullName;
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            $"--user-data-dir={profile}", "--remote-debugging-port=0", "--hide-scrollbars",
            $"--window-size={width},{height}", "about:blank",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("chromium did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var browser = new HeadlessChromium(process, profile);
        try
        {
            await browser.ConnectAsync();

            // The page's size exactly, whatever the window around it: the screenshot has these dimensions.
            await browser.SendAsync("Emulation.setDeviceMetricsOverride", new JsonObject
            {
                ["width"] = width,
                ["height"] = height,
                ["deviceScaleFactor"] = 1,
                ["mobile"] = false,
            });
        }
        catch
        {
            await browser.DisposeAsync();
            throw;
        }

        return browser;
    }

    /// <summary>Chromium writes the port it chose to DevToolsActivePort; the first page target is the one to drive.</summary>
    private async Task ConnectAsync()
    {
        var portFile = Path.Combine(_profile, "DevToolsActivePort");
        await Wait.UntilAsync(() => File.Exists(portFile) && File.ReadAllLines(portFile).Length >= 2, "chromium opens its DevTools port", TimeSpan.FromSeconds(30));
        var port = int.Parse(File.ReadAllLines(portFile)[0], System.Globalization.CultureInfo.InvariantCulture);

        using var http = new HttpClient();
        string? pageSocket = null;
        await Wait.UntilAsync(async () =>
        {
            var targets = JsonNode.Parse(await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/json/list")))!.AsArray();
            pageSocket = targets.FirstOrDefault(t => (string?)t!["type"] == "page")?["webSocketDebuggerUrl"]?.GetValue<string>();
            return pageSocket is not null;
        }, "chromium lists a page target", TimeSpan.FromSeconds(15));

        await _socket.ConnectAsync(new Uri(pageSocket!), CancellationToken.None);
        _receiving = ReceiveAsync();
    }

    public async Task NavigateAsync(Uri url)
    {
        await SendAsync("Page.enable");
        await SendAsync("Page.navigate", new JsonObject { ["url"] = url.ToString() });
    }

    /// <summary>Runs <paramref name="expression"/> in the page and returns its value, which must be a string.</summary>
    public async Task<string?> EvaluateAsync(string expression)
    {
        var result = await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true });
        return result?["result"]?["value"]?.GetValue<string>();
    }

    public async Task ScreenshotAsync(string path)
    {
        var result = await SendAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png" });
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, Convert.FromBase64String(result!["data"]!.GetValue<string>()));
    }

    private async Task<JsonNode?> SendAsync(string method, JsonObject? parameters = null)
    {
        var id = Interlocked.Increment(ref _nextId);
        var reply = new TaskCompletionSource<JsonNode?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? [] };
        await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, CancellationToken.None);
        return await reply.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Matches replies to requests by id; events (messages without an id) are not needed here.</summary>
    private async Task ReceiveAsync()
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (_socket.State == WebSocketState.Open)
            {
                var received = await _socket.ReceiveAsync(buffer, _closing.Token);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                message.Write(buffer, 0, received.Count);
                if (!received.EndOfMessage)
                {
                    continue;
                }

                var node = JsonNode.Parse(message.ToArray());
                message.SetLength(0);
                if (node?["id"]?.GetValue<int>() is { } id && _pending.TryRemove(id, out var reply))
                {
                    if (node["error"] is { } error)
                    {
                        reply.TrySetException(new InvalidOperationException($"DevTools error: {error.ToJsonString()}"));
                    }
                    else
                    {
                        reply.TrySetResult(node["result"]);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or JsonException)
        {
        }

        foreach (var reply in _pending.Values)
        {
            reply.TrySetException(new InvalidOperationException("chromium closed the DevTools connection"));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _closing.CancelAsync();
        if (_receiving is not null)
        {
            await _receiving;
        }

        _socket.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _closing.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
