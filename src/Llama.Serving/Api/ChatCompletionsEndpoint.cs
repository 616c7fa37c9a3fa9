using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Llama.Core.Generation;
using Llama.Core.Tokenization;
using Llama.Serving.Engine;
using Llama.Serving.Hosting;
using Llama.Serving.Metrics;
using Microsoft.AspNetCore.Http;

namespace Llama.Serving.Api;

/// <summary><c>POST /v1/chat/completions</c>: the messages in the Llama 3 chat template, answered as the assistant.</summary>
internal static class ChatCompletionsEndpoint
{
    public static async Task HandleAsync(HttpContext context, ServedModel model, ServingOptions options, ServingMetrics metrics)
    {
        var cancellation = context.RequestAborted;
        var body = await RequestBody.ReadAsync(context.Request, options.Limits.MaxRequestBodyBytes, cancellation);
        OpenAiApi.RequireModel(body, model);
        var prompt = Llama3ChatTemplate.Encode(model.Tokenizer, Messages(body)).Ids;
        int? topLogprobs = null;
        if (GenerationParameters.Boolean(body, "logprobs") == true)
        {
            topLogprobs = GenerationParameters.Integer(body, "top_logprobs") ?? 0;
            if (topLogprobs < 0 || topLogprobs > options.Limits.MaxTopLogprobs)
                throw OpenAiException.BadParameter("top_logprobs", $"top_logprobs {topLogprobs} must be between 0 and {options.Limits.MaxTopLogprobs}");
        }
        // Without max_tokens a chat answer may run to the end of the context (OpenAI's behaviour), within the server's limit.
        int defaultMax = Math.Max(1, Math.Min(options.Limits.MaxTokens, model.Engine.MaxModelLength - prompt.Count));
        var parameters = GenerationParameters.Read(body, defaultMax, topLogprobs, options.Limits);

        using var choices = ChoiceSet.Start(model, prompt, parameters, metrics);
        string id = "chatcmpl-" + Guid.NewGuid().ToString("N");
        long created = OpenAiJson.Now();

        if (parameters.Stream)
        {
            JsonObject Chunk(JsonArray choiceArray) => new()
            {
                ["id"] = id, ["object"] = "chat.completion.chunk", ["created"] = created, ["model"] = model.Id, ["choices"] = choiceArray,
            };
            ServerSentEvents.Begin(context.Response);
            var started = new bool[parameters.N];
            await foreach (var batch in choices.ReadBatchesAsync(cancellation))
            {
                foreach (var e in batch) await WriteChunkAsync(e);
                await ServerSentEvents.FlushAsync(context.Response, cancellation);
            }

            async Task WriteChunkAsync(ChoiceEvent e)
            {
                var delta = new JsonObject();
                if (!started[e.Index]) delta["role"] = "assistant";
                started[e.Index] = true;
                if (e.Text.Length > 0 || e.Finish == FinishReason.None) delta["content"] = e.Text;
                var chunk = Chunk([new JsonObject
                {
                    ["index"] = e.Index,
                    ["delta"] = delta,
                    ["logprobs"] = topLogprobs is null ? null : new JsonObject { ["content"] = OpenAiJson.ChatLogprobs(model, e.Tokens) },
                    ["finish_reason"] = OpenAiJson.FinishReasonName(e.Finish),
                }]);
                if (parameters.IncludeUsage) chunk["usage"] = null;
                await ServerSentEvents.WriteAsync(context.Response, chunk, cancellation, flush: false);
            }
            if (parameters.IncludeUsage)
            {
                var last = Chunk([]);
                last["usage"] = choices.Usage();
                await ServerSentEvents.WriteAsync(context.Response, last, cancellation);
            }
            await ServerSentEvents.DoneAsync(context.Response, cancellation);
            return;
        }

        var texts = Enumerable.Range(0, parameters.N).Select(_ => new StringBuilder()).ToArray();
        var tokens = Enumerable.Range(0, parameters.N).Select(_ => new List<SequenceOutput>()).ToArray();
        var finishes = new FinishReason[parameters.N];
        await foreach (var e in choices.ReadAsync(cancellation))
        {
            texts[e.Index].Append(e.Text);
            tokens[e.Index].AddRange(e.Tokens);
            if (e.Finish != FinishReason.None) finishes[e.Index] = e.Finish;
        }
        var response = new JsonObject
        {
            ["id"] = id, ["object"] = "chat.completion", ["created"] = created, ["model"] = model.Id,
            ["choices"] = new JsonArray(Enumerable.Range(0, parameters.N).Select(i => (JsonNode)new JsonObject
            {
                ["index"] = i,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = texts[i].ToString() },
                ["logprobs"] = topLogprobs is null ? null : new JsonObject { ["content"] = OpenAiJson.ChatLogprobs(model, tokens[i]) },
                ["finish_reason"] = OpenAiJson.FinishReasonName(finishes[i]),
            }).ToArray()),
            ["usage"] = choices.Usage(),
        };
        await context.Response.WriteAsJsonAsync(response, cancellation);
    }

    /// <summary>
    /// The messages as Llama 3 turns. Content is a string or an array of text parts; OpenAI's newer
    /// <c>developer</c> role is Llama's <c>system</c>.
    /// </summary>
    private static List<ChatMessage> Messages(JsonObject body)
    {
        if (body["messages"] is not JsonArray { Count: > 0 } array)
            throw OpenAiException.BadParameter("messages", "messages must be a non-empty array");
        var messages = new List<ChatMessage>();
        for (int i = 0; i < array.Count; i++)
        {
            string param = $"messages[{i}]";
            if (array[i] is not JsonObject m) throw OpenAiException.BadParameter(param, $"{param} must be an object");
            string role = GenerationParameters.String(m, "role") ?? throw OpenAiException.BadParameter($"{param}.role", $"{param}.role is required");
            if (role == "developer") role = "system";
            if (role is not ("system" or "user" or "assistant"))
                throw OpenAiException.BadParameter($"{param}.role", $"{param}.role '{role}' is not supported (system, developer, user, assistant)");
            messages.Add(new ChatMessage(role, Content(m["content"], $"{param}.content")));
        }
        return messages;
    }

    private static string Content(JsonNode? content, string param)
    {
        switch (content)
        {
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                return v.GetValue<string>();
            case JsonArray parts:
                var text = new StringBuilder();
                foreach (var part in parts)
                {
                    if (part is not JsonObject p || GenerationParameters.String(p, "type") != "text" || GenerationParameters.String(p, "text") is not { } piece)
                        throw OpenAiException.BadParameter(param, $"{param}: only text parts ({{\"type\": \"text\", \"text\": ...}}) are supported");
                    text.Append(piece);
                }
                return text.ToString();
            default:
                throw OpenAiException.BadParameter(param, $"{param} must be a string or an array of text parts");
        }
    }
}
