using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Llama.Core.Generation;
using Llama.Serving.Hosting;
using Llama.Serving.Metrics;
using Microsoft.AspNetCore.Http;

namespace Llama.Serving.Api;

/// <summary><c>POST /v1/completions</c>: OpenAI's (legacy) text completion of a prompt given as text or token ids.</summary>
internal static class CompletionsEndpoint
{
    /// <summary>OpenAI's default for the legacy endpoint.</summary>
    private const int DefaultMaxTokens = 16;

    public static async Task HandleAsync(HttpContext context, ServedModel model, ServingOptions options, ServingMetrics metrics)
    {
        var cancellation = context.RequestAborted;
        var body = await RequestBody.ReadAsync(context.Request, options.Limits.MaxRequestBodyBytes, cancellation);
        OpenAiApi.RequireModel(body, model);
        var prompt = PromptIds(body, model);
        int? logprobs = GenerationParameters.Integer(body, "logprobs");
        if (logprobs is < 0 || logprobs > options.Limits.MaxTopLogprobs)
            throw OpenAiException.BadParameter("logprobs", $"logprobs {logprobs} must be between 0 and {options.Limits.MaxTopLogprobs}");
        if (GenerationParameters.Boolean(body, "echo") == true) throw OpenAiException.BadParameter("echo", "echo is not supported by this server");
        var parameters = GenerationParameters.Read(body, DefaultMaxTokens, logprobs, options.Limits);

        using var choices = ChoiceSet.Start(model, prompt, parameters, metrics);
        string id = "cmpl-" + Guid.NewGuid().ToString("N");
        long created = OpenAiJson.Now();
        JsonObject Envelope(JsonArray choiceArray) => new()
        {
            ["id"] = id, ["object"] = "text_completion", ["created"] = created, ["model"] = model.Id, ["choices"] = choiceArray,
        };

        if (parameters.Stream)
        {
            ServerSentEvents.Begin(context.Response);
            await foreach (var batch in choices.ReadBatchesAsync(cancellation))
            {
                foreach (var e in batch)
                {
                    var chunk = Envelope([Choice(e.Index, e.Text, e.Finish, logprobs is null ? null : OpenAiJson.CompletionLogprobs(model, e.Tokens))]);
                    if (parameters.IncludeUsage) chunk["usage"] = null;
                    await ServerSentEvents.WriteAsync(context.Response, chunk, cancellation, flush: false);
                }
                await ServerSentEvents.FlushAsync(context.Response, cancellation);
            }
            if (parameters.IncludeUsage)
            {
                var last = Envelope([]);
                last["usage"] = choices.Usage();
                await ServerSentEvents.WriteAsync(context.Response, last, cancellation);
            }
            await ServerSentEvents.DoneAsync(context.Response, cancellation);
            return;
        }

        var texts = Enumerable.Range(0, parameters.N).Select(_ => new StringBuilder()).ToArray();
        var tokens = Enumerable.Range(0, parameters.N).Select(_ => new List<Engine.SequenceOutput>()).ToArray();
        var finishes = new FinishReason[parameters.N];
        await foreach (var e in choices.ReadAsync(cancellation))
        {
            texts[e.Index].Append(e.Text);
            tokens[e.Index].AddRange(e.Tokens);
            if (e.Finish != FinishReason.None) finishes[e.Index] = e.Finish;
        }
        var response = Envelope(new JsonArray(Enumerable.Range(0, parameters.N).Select(i =>
            (JsonNode)Choice(i, texts[i].ToString(), finishes[i], logprobs is null ? null : OpenAiJson.CompletionLogprobs(model, tokens[i]))).ToArray()));
        response["usage"] = choices.Usage();
        await context.Response.WriteAsJsonAsync(response, cancellation);
    }

    private static JsonObject Choice(int index, string text, FinishReason finish, JsonObject? logprobs) => new()
    {
        ["index"] = index,
        ["text"] = text,
        ["logprobs"] = logprobs,
        ["finish_reason"] = OpenAiJson.FinishReasonName(finish),
    };

    /// <summary>A string (encoded with &lt;|begin_of_text|&gt;, as <c>llama generate --prompt</c> does), or token ids; a one-element batch of either.</summary>
    private static IReadOnlyList<int> PromptIds(JsonObject body, ServedModel model)
    {
        var prompt = body["prompt"] ?? throw OpenAiException.BadParameter("prompt", "prompt is required");
        // A batch of one: ["text"] or [[ids]].
        if (prompt is JsonArray { Count: 1 } single && (single[0] is JsonArray || single[0] is JsonValue s && s.GetValueKind() == JsonValueKind.String))
            prompt = single[0]!;
        switch (prompt)
        {
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                string text = v.GetValue<string>();
                if (text.Length == 0) throw OpenAiException.BadParameter("prompt", "prompt is empty");
                return model.Tokenizer.Encode(text, bos: true);
            case JsonArray a when a.Count > 0 && a.All(x => x is JsonValue n && n.GetValueKind() == JsonValueKind.Number):
                return a.Select(x => x!.GetValue<double>() is double d && d == Math.Floor(d) && d >= 0 && d < model.Engine.Model.Config.VocabSize
                    ? (int)d
                    : throw OpenAiException.BadParameter("prompt", $"prompt token {x} is not an id in [0, {model.Engine.Model.Config.VocabSize})")).ToArray();
            case JsonArray a when a.Count > 1:
                throw OpenAiException.BadParameter("prompt", "batched prompts are not supported: send one prompt per request");
            default:
                throw OpenAiException.BadParameter("prompt", "prompt must be a string or an array of token ids");
        }
    }
}
