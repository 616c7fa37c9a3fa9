using Microsoft.Playwright;

namespace Llama.Serving.Tests.Web;

/// <summary>The chat page in headless Chromium (Debian's chromium driven by Playwright): an answer streams in.</summary>
public sealed class ChatPageTests
{
    /// <summary>Debian's browser binary (its /usr/bin/chromium is a shell wrapper); LLAMA_CHROMIUM overrides.</summary>
    private static string ChromiumPath()
    {
        string[] candidates = [Environment.GetEnvironmentVariable("LLAMA_CHROMIUM") ?? "", "/usr/lib/chromium/chromium", "/usr/bin/chromium"];
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException("Chromium is not installed: `apt-get install chromium` (.ci/run does), or set LLAMA_CHROMIUM to a Chromium binary");
    }

    [Fact]
    public async Task The_chat_page_streams_the_greedy_answer_into_the_conversation()
    {
        await using var server = await ServingServer.StartAsync();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = ChromiumPath(), Headless = true });
        var page = await browser.NewPageAsync();
        await page.GotoAsync(server.BaseAddress.ToString());

        await page.WaitForSelectorAsync($"#model option[value='{TinyModel.Name}']", new() { State = WaitForSelectorState.Attached });
        await page.FillAsync("#temperature", "0");
        await page.FillAsync("#max-tokens", "24");
        // Count how often the answer's text changes: streaming shows it piece by piece.
        await page.EvaluateAsync("() => { window.answerUpdates = 0; new MutationObserver(records => window.answerUpdates += records.length)" +
            ".observe(document.getElementById('log'), { subtree: true, childList: true, characterData: true }); }");
        await page.FillAsync("#prompt", "Write a poem");
        await page.ClickAsync("#send");
        await page.WaitForSelectorAsync(".assistant[data-done='true']", new() { Timeout = 60_000 });

        Assert.Equal("Write a poem", await page.TextContentAsync(".user"));
        Assert.Equal(Reference.GreedyText(Reference.Chat("Write a poem"), 24), await page.TextContentAsync(".assistant"));
        Assert.True(await page.EvaluateAsync<int>("() => window.answerUpdates") > 3, "the answer should arrive in several streamed pieces");
        Assert.NotNull(await page.GetAttributeAsync(".assistant", "data-finish"));
    }
}
