using PuppeteerSharp;

namespace PubSubDemo.MonitorTests;

/// <summary>
/// Debian's Chromium, headless, driven by PuppeteerSharp (never a downloaded browser): open a page, read what it
/// shows with a script, take a screenshot. Each instance has its own fresh profile, deleted afterwards.
/// </summary>
public sealed class HeadlessChromium : IAsyncDisposable
{
    public const string InstallHint = "apt-get install -y chromium";

    /// <summary>The system Chromium (Debian's package).</summary>
    public const string ExecutablePath = "/usr/bin/chromium";

    private readonly IBrowser _browser;
    private readonly IPage _page;
    private readonly string _profile;

    private HeadlessChromium(IBrowser browser, IPage page, string profile)
    {
        _browser = browser;
        _page = page;
        _profile = profile;
    }

    public static async Task<HeadlessChromium> StartAsync(int width, int height)
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException($"The monitor page test needs a real browser at {ExecutablePath}: install Debian's Chromium ({InstallHint}).");
        }

        var profile = Directory.CreateTempSubdirectory("pubsubdemo-chromium-").FullName;
        IBrowser? browser = null;
        try
        {
            // Headless by flag rather than by option, so Chromium gets exactly the flags this machine needs.
            browser = await Puppeteer.LaunchAsync(new LaunchOptions
            {
                ExecutablePath = ExecutablePath,
                Headless = false,
                UserDataDir = profile,
                Timeout = 30_000,
                Args =
                [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--hide-scrollbars", $"--window-size={width},{height}",
                ],

                // The page's size exactly, whatever the window around it: the screenshot has these dimensions.
                DefaultViewport = new ViewPortOptions { Width = width, Height = height, DeviceScaleFactor = 1 },
            });
            var pages = await browser.PagesAsync();
            var page = pages.Length > 0 ? pages[0] : await browser.NewPageAsync();
            return new HeadlessChromium(browser, page, profile);
        }
        catch
        {
            if (browser is not null)
            {
                await browser.DisposeAsync();
            }

            DeleteProfile(profile);
            throw;
        }
    }

    public async Task NavigateAsync(Uri url) => await _page.GoToAsync(url.ToString());

    /// <summary>Runs <paramref name="expression"/> in the page and returns its value, which must be a string.</summary>
    public Task<string?> EvaluateAsync(string expression) => _page.EvaluateExpressionAsync<string?>(expression);

    public async Task ScreenshotAsync(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await _page.ScreenshotAsync(path, new ScreenshotOptions { Type = ScreenshotType.Png });
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.CloseAsync();
        await _browser.DisposeAsync();
        DeleteProfile(_profile);
    }

    private static void DeleteProfile(string profile)
    {
        try
        {
            Directory.Delete(profile, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
