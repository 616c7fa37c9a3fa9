using Llama.Serving.Hosting;
using System.Net.Http.Json;
using Llama.Serving.Tests.Engine;

namespace Llama.Serving.Tests.Api;

public sealed class DisconnectTests
{
    [Fact]
    public async Task A_client_that_disconnects_mid_stream_has_its_KV_blocks_freed()
    {
        await using var server = await ServingServer.StartAsync(new ServingOptions { Engine = new() { MaxModelLength = 32_768 }, Limits = new() { MaxTokens = 32_000 } });
        var engine = server.Model.Engine;
        using var http = server.CreateHttpClient();
        // Far more than the tiny model makes before the disconnect is noticed (4,000 were not, on a quiet machine).
        const int maxTokens = 32_000;
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = JsonContent.Create(new
            {
                model = TinyModel.Name, stream = true, max_tokens = maxTokens, ignore_eos = true,
                messages = new[] { new { role = "user", content = "Talk for a long time" } },
            }),
        };
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        int events = 0;
        while (events < 3 && await reader.ReadLineAsync() is { } line)
            if (line.StartsWith("data: ", StringComparison.Ordinal)) events++;
        Assert.True(engine.Stats.UsedBlocks > 0, "the sequence holds KV blocks while it streams");

        // The client goes away mid-stream.
        reader.Dispose();
        response.Dispose();

        await InferenceEngineTests.WaitUntilAsync(() => engine.Stats is { UsedBlocks: 0, Running: 0 });
        Assert.True(engine.Stats.GeneratedTokens < maxTokens, $"generation should stop early, not run all {maxTokens} tokens ({engine.Stats.GeneratedTokens} made)");
    }
}
