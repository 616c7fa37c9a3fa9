using System.Text.Json;
using System.Text.Json.Nodes;
using Llama.Core.Generation;

namespace Llama.Serving.Api;

/// <summary>
/// The sampling fields both endpoints share, read from the request body with OpenAI's names and defaults
/// (temperature 1, top_p 1) plus vLLM's <c>top_k</c> and <c>ignore_eos</c>. Each bad value is refused naming its field.
/// </summary>
internal sealed record GenerationParameters(
    double Temperature, double TopP, int TopK, int MaxTokens, IReadOnlyList<string> Stop, long? Seed, int N,
    bool Stream, bool IncludeUsage, int? TopLogprobs, bool IgnoreEos)
{
    /// <param name="defaultMaxTokens">What max_tokens is when absent (legacy completions: 16; chat: the rest of the context).</param>
    /// <param name="logprobs">The request's log-probability setting, already read by the endpoint (formats differ).</param>
    public static GenerationParameters Read(JsonObject body, int defaultMaxTokens, int? logprobs, ServingLimits limits)
    {
        double temperature = Number(body, "temperature") ?? 1.0;
        if (!(temperature >= 0 && temperature <= 2)) throw OpenAiException.BadParameter("temperature", $"temperature {temperature} must be between 0 and 2");
        double topP = Number(body, "top_p") ?? 1.0;
        if (!(topP > 0 && topP <= 1)) throw OpenAiException.BadParameter("top_p", $"top_p {topP} must be in (0, 1]");
        int topK = Integer(body, "top_k") ?? 0;
        if (topK < -1) throw OpenAiException.BadParameter("top_k", $"top_k {topK} must be -1 or 0 (off) or positive");
        // The new chat field name wins over the deprecated one, as in OpenAI's API.
        string maxName = body.ContainsKey("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
        int maxTokens = Integer(body, maxName) ?? defaultMaxTokens;
        if (maxTokens < 1) throw OpenAiException.BadParameter(maxName, $"{maxName} {maxTokens} must be at least 1");
        if (maxTokens > limits.MaxTokens) throw OpenAiException.BadParameter(maxName, $"{maxName} {maxTokens} exceeds this server's limit of {limits.MaxTokens}");
        int n = Integer(body, "n") ?? 1;
        if (n < 1 || n > limits.MaxChoices) throw OpenAiException.BadParameter("n", $"n {n} must be between 1 and {limits.MaxChoices}");
        long? seed = body["seed"] is null ? null : Long(body, "seed");
        bool stream = Boolean(body, "stream") ?? false;
        bool includeUsage = body["stream_options"] is JsonObject o && (Boolean(o, "include_usage") ?? false);
        // vLLM's extension for benchmarks: generate exactly max_tokens, whatever the model says.
        bool ignoreEos = Boolean(body, "ignore_eos") ?? false;
        return new GenerationParameters(temperature, topP, topK <= 0 ? 0 : topK, maxTokens, StopStrings(body), seed, n, stream, includeUsage, logprobs, ignoreEos);
    }

    /// <summary>Options of choice <paramref name="index"/>: with a seed, choice i samples with seed + i so the n choices differ yet repeat.</summary>
    public SamplingOptions ToSampling(int index, IReadOnlyList<int> stopTokenIds) => new()
    {
        Temperature = Temperature,
        TopP = TopP,
        TopK = TopK,
        MaxNewTokens = MaxTokens,
        Seed = (Seed ?? Random.Shared.NextInt64()) + index,
        StopTokenIds = IgnoreEos ? [] : stopTokenIds,
        StopStrings = Stop,
    };

    private static IReadOnlyList<string> StopStrings(JsonObject body)
    {
        switch (body["stop"])
        {
            case null: return [];
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                string one = v.GetValue<string>();
                return one.Length == 0 ? throw OpenAiException.BadParameter("stop", "stop strings must not be empty") : [one];
            case JsonArray a:
                if (a.Count > 4) throw OpenAiException.BadParameter("stop", $"stop has {a.Count} strings; at most 4 are allowed");
                return a.Select(item => item is JsonValue s && s.GetValueKind() == JsonValueKind.String && s.GetValue<string>().Length > 0
                    ? s.GetValue<string>()
                    : throw OpenAiException.BadParameter("stop", "stop must be a non-empty string or an array of them")).ToArray();
            default: throw OpenAiException.BadParameter("stop", "stop must be a string or an array of strings");
        }
    }

    public static double? Number(JsonObject body, string name) => body[name] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.GetValue<double>(),
        _ => throw OpenAiException.BadParameter(name, $"{name} must be a number"),
    };

    public static int? Integer(JsonObject body, string name)
    {
        double? value = Number(body, name);
        if (value is null) return null;
        if (value != Math.Floor(value.Value) || value < int.MinValue || value > int.MaxValue)
            throw OpenAiException.BadParameter(name, $"{name} must be an integer");
        return (int)value.Value;
    }

    private static long Long(JsonObject body, string name) => body[name] is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out long l)
        ? l
        : throw OpenAiException.BadParameter(name, $"{name} must be an integer");

    public static bool? Boolean(JsonObject body, string name) => body[name] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
        _ => throw OpenAiException.BadParameter(name, $"{name} must be true or false"),
    };

    public static string? String(JsonObject body, string name) => body[name] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => throw OpenAiException.BadParameter(name, $"{name} must be a string"),
    };
}
