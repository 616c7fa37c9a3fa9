using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Llama.Serving.Api;

/// <summary>OpenAI's streaming format: <c>data: {json}</c> events, each flushed at once, ending in <c>data: [DONE]</c>.</summary>
internal static class ServerSentEvents
{
    public static void Begin(HttpResponse response)
    {
        response.StatusCode = 200;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        // Proxies (nginx) otherwise buffer the stream and the client sees tokens in bursts.
        response.Headers["X-Accel-Buffering"] = "no";
    }

    /// <summary>Writes one event; with <paramref name="flush"/> false it waits in the response buffer for the next flush.</summary>
    public static async Task WriteAsync(HttpResponse response, JsonNode data, CancellationToken cancellation, bool flush = true)
    {
        await response.WriteAsync("data: " + data.ToJsonString() + "\n\n", Encoding.UTF8, cancellation);
        if (flush) await response.Body.FlushAsync(cancellation);
    }

    public static Task FlushAsync(HttpResponse response, CancellationToken cancellation) => response.Body.FlushAsync(cancellation);

    public static async Task DoneAsync(HttpResponse response, CancellationToken cancellation)
    {
        await response.WriteAsync("data: [DONE]\n\n", Encoding.UTF8, cancellation);
        await response.Body.FlushAsync(cancellation);
    }
}
