using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Llama.Serving.Api;

/// <summary>Reads a JSON object body within the size limit; anything else is an OpenAI-style 400 or 413.</summary>
internal static class RequestBody
{
    public static async Task<JsonObject> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellation)
    {
        if (request.ContentLength > maxBytes) throw TooLarge(maxBytes);
        using var buffer = new MemoryStream();
        var chunk = new byte[16384];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellation)) > 0)
        {
            if (buffer.Length + read > maxBytes) throw TooLarge(maxBytes);
            buffer.Write(chunk, 0, read);
        }
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(buffer.ToArray());
        }
        catch (JsonException e)
        {
            throw new OpenAiException(400, $"We could not parse the JSON body of your request: {e.Message}");
        }
        return node as JsonObject ?? throw new OpenAiException(400, "The request body must be a JSON object.");
    }

    private static OpenAiException TooLarge(long maxBytes) =>
        new(413, $"The request body exceeds this server's limit of {maxBytes} bytes.", code: "request_too_large");
}
