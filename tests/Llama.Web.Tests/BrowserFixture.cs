using Microsoft.Playwright;

namespace Llama.Web.Tests;

/// <summary>
/// Headless Chromium (the machine's own: Debian's <c>chromium</c> package, or <c>LLAMA_CHROMIUM</c>) driven by
/// Playwright, pointed at the web role over the seeded platform with the fake serving API behind its chat proxy and
/// the stand-in pipeline service behind its pipelines page.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    /// <summary>Where Debian puts Chromium; .ci/run installs it when missing.</summary>
    public const string DefaultChromium = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    internal FakeServingApi Serving { get; private set; } = null!;
    internal StandInPipelineService Pipeline { get; private set; } = null!;
    internal WebRoleHost Web { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        string chromium = Environment.GetEnvironmentVariable("LLAMA_CHROMIUM") ?? DefaultChromium;
        if (!File.Exists(chromium))
            throw new InvalidOperationException($"no Chromium at {chromium}: `apt-get install chromium` (as .ci/run does) or set LLAMA_CHROMIUM");
        Serving = await FakeServingApi.StartAsync();
        Pipeline = await StandInPipelineService.StartAsync();
        Web = await WebRoleHost.StartAsync(Serving.Address.ToString(), Pipeline.Address.ToString());
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = chromium, Headless = true });
    }

    /// <summary>A fresh page (own context) at <paramref name="route"/>, failing the test on any script error.</summary>
    public async Task<IPage> OpenAsync(string route, List<string> scriptErrors)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = Web.Address.ToString() });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        page.PageError += (_, message) => scriptErrors.Add(message);
        await page.GotoAsync("/" + route);
        return page;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (Web is not null) await Web.DisposeAsync();
        if (Serving is not null) await Serving.DisposeAsync();
        if (Pipeline is not null) await Pipeline.DisposeAsync();
    }
}
