using System.Net.Http.Json;
using System.Text.Json;

namespace Llama.Serving.Tests;

/// <summary>Reads a server-sent-event response as a client would: every <c>data:</c> JSON until <c>[DONE]</c>.</summary>
internal static class Sse
{
    public static async Task<List<JsonElement>> ReadAsync(HttpClient http, string path, object body)
    {
        using var response = await http.PostAsJsonAsync(path, body);
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = new List<JsonElement>();
        bool done = false;
        foreach (var line in (await response.Content.ReadAsStringAsync()).Split('\n'))
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal)) continue;
            Assert.False(done, "nothing may follow [DONE]");
            if (line == "data: [DONE]") { done = true; continue; }
            events.Add(JsonDocument.Parse(line[6..]).RootElement.Clone());
        }
        Assert.True(done, "the stream must end with data: [DONE]");
        return events;
    }
}
