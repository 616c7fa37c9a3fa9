using System.Text.Json.Nodes;
using Llama.Core.Generation;
using Llama.Serving.Engine;
using Llama.Serving.Hosting;

namespace Llama.Serving.Api;

/// <summary>Pieces of OpenAI response bodies both endpoints use.</summary>
internal static class OpenAiJson
{
    public static string? FinishReasonName(FinishReason finish) => finish switch
    {
        FinishReason.Stop => "stop",
        FinishReason.Length => "length",
        _ => null,
    };

    public static JsonObject Usage(int promptTokens, int completionTokens) => new()
    {
        ["prompt_tokens"] = promptTokens,
        ["completion_tokens"] = completionTokens,
        ["total_tokens"] = promptTokens + completionTokens,
    };

    public static long Now() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    /// <summary>A token as text for log-probability listings (special tokens by name; invalid UTF-8 pieces as U+FFFD).</summary>
    public static string TokenText(ServedModel model, int id) => model.Tokenizer.Decode([id]);

    /// <summary>Chat's <c>logprobs.content</c> entries for <paramref name="tokens"/>.</summary>
    public static JsonArray ChatLogprobs(ServedModel model, IEnumerable<SequenceOutput> tokens) =>
        new(tokens.Where(t => t.Logprob is not null).Select(t => (JsonNode)new JsonObject
        {
            ["token"] = TokenText(model, t.TokenId),
            ["logprob"] = t.Logprob,
            ["bytes"] = Bytes(model, t.TokenId),
            ["top_logprobs"] = new JsonArray((t.TopLogprobs ?? []).Select(c => (JsonNode)new JsonObject
            {
                ["token"] = TokenText(model, c.Id),
                ["logprob"] = c.Logprob,
                ["bytes"] = Bytes(model, c.Id),
            }).ToArray()),
        }).ToArray());

    /// <summary>Legacy completions' <c>logprobs</c> object (tokens, token_logprobs, top_logprobs) for <paramref name="tokens"/>.</summary>
    public static JsonObject CompletionLogprobs(ServedModel model, IReadOnlyList<SequenceOutput> tokens)
    {
        var withLogprobs = tokens.Where(t => t.Logprob is not null).ToList();
        return new JsonObject
        {
            ["tokens"] = new JsonArray(withLogprobs.Select(t => (JsonNode)JsonValue.Create(TokenText(model, t.TokenId))).ToArray()),
            ["token_logprobs"] = new JsonArray(withLogprobs.Select(t => (JsonNode)JsonValue.Create(t.Logprob!.Value)).ToArray()),
            ["top_logprobs"] = new JsonArray(withLogprobs.Select(t =>
            {
                var top = new JsonObject();
                foreach (var c in t.TopLogprobs ?? []) top[TokenText(model, c.Id)] = c.Logprob;
                return (JsonNode)top;
            }).ToArray()),
        };
    }

    private static JsonArray Bytes(ServedModel model, int id) =>
        new(model.Tokenizer.DecodeBytes([id]).Select(b => (JsonNode)JsonValue.Create((int)b)).ToArray());
}
