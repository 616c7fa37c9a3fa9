using System.ClientModel;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Models;
using ChatFinishReason = OpenAI.Chat.ChatFinishReason;

namespace Llama.Serving.Tests.Api;

/// <summary>The official OpenAI .NET client (2.15) and Microsoft.Extensions.AI's adapter against our server.</summary>
public sealed class OpenAiClientTests(ServingServerFixture fixture) : IClassFixture<ServingServerFixture>
{
    private ServingServer Server => fixture.Server;

    private ChatClient Chat(string? model = null) =>
        new(model ?? TinyModel.Name, new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = Server.V1 });

    [Fact]
    public async Task Chat_completion_equals_greedy_generation_of_the_chat_template()
    {
        var result = await Chat().CompleteChatAsync([new UserChatMessage("Write a poem")],
            new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 24 });
        var completion = result.Value;
        Assert.Equal(Reference.GreedyText(Reference.Chat("Write a poem"), 24), completion.Content[0].Text);
        Assert.Equal(ChatMessageRole.Assistant, completion.Role);
        Assert.Equal(Reference.Chat("Write a poem").Count, completion.Usage.InputTokenCount);
        Assert.InRange(completion.Usage.OutputTokenCount, 1, 24);
        Assert.Equal(TinyModel.Name, completion.Model);
    }

    [Fact]
    public async Task Streamed_chat_completion_has_the_same_text_and_ends_with_usage()
    {
        var text = new StringBuilder();
        OpenAI.Chat.ChatFinishReason? finish = null;
        ChatTokenUsage? usage = null;
        int updates = 0;
        await foreach (var update in Chat().CompleteChatStreamingAsync([new UserChatMessage("Explain")],
            new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 24 }))
        {
            updates++;
            foreach (var part in update.ContentUpdate) text.Append(part.Text);
            if (update.FinishReason is { } reason) finish = reason;
            usage ??= update.Usage;
        }
        Assert.True(updates > 2, "tokens should arrive as separate events");
        Assert.Equal(Reference.GreedyText(Reference.Chat("Explain"), 24), text.ToString());
        Assert.NotNull(finish);
        Assert.NotNull(usage);
        Assert.Equal(Reference.Chat("Explain").Count, usage.InputTokenCount);
    }

    [Fact]
    public async Task A_stop_sequence_ends_the_text_before_it()
    {
        string full = Reference.GreedyText(Reference.Chat("Stop here"), 30);
        Assert.True(full.Length >= 6, $"the reference answer is too short to cut: '{full}'");
        string stop = full.Substring(3, 2);
        string expected = full[..full.IndexOf(stop, StringComparison.Ordinal)];

        var completion = (await Chat().CompleteChatAsync([new UserChatMessage("Stop here")],
            new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 30, StopSequences = { stop } })).Value;
        Assert.Equal(expected, completion.Content.Count == 0 ? "" : completion.Content[0].Text);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);

        var streamed = new StringBuilder();
        await foreach (var update in Chat().CompleteChatStreamingAsync([new UserChatMessage("Stop here")],
            new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 30, StopSequences = { stop } }))
            foreach (var part in update.ContentUpdate) streamed.Append(part.Text);
        Assert.Equal(expected, streamed.ToString());
    }

    [Fact]
    public async Task Legacy_completions_equal_greedy_generation_streaming_and_not()
    {
        // OpenAI 2.15 keeps its legacy-completions client internal: the request goes through the official client's
        // pipeline (its authentication, retries and error handling) as a protocol call.
        var pipeline = Chat().Pipeline;
        using var message = pipeline.CreateMessage();
        message.Request.Method = "POST";
        message.Request.Uri = new Uri(Server.V1 + "/completions");
        message.Request.Headers.Set("Content-Type", "application/json");
        message.Request.Content = BinaryContent.Create(BinaryData.FromObjectAsJson(new { model = TinyModel.Name, prompt = "Once upon a time", max_tokens = 20, temperature = 0 }));
        await pipeline.SendAsync(message);
        Assert.Equal(200, message.Response!.Status);
        using var body = JsonDocument.Parse(message.Response.Content);

        string expected = Reference.GreedyText(Reference.Text("Once upon a time"), 20);
        var choice = body.RootElement.GetProperty("choices")[0];
        Assert.Equal(expected, choice.GetProperty("text").GetString());
        Assert.Equal("text_completion", body.RootElement.GetProperty("object").GetString());
        Assert.Equal(Reference.Text("Once upon a time").Count, body.RootElement.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());

        using var http = Server.CreateHttpClient();
        var streamed = await Sse.ReadAsync(http, "/v1/completions", new { model = TinyModel.Name, prompt = "Once upon a time", max_tokens = 20, temperature = 0, stream = true });
        Assert.Equal(expected, string.Concat(streamed.Select(e => e.GetProperty("choices")[0].GetProperty("text").GetString())));
    }

    [Fact]
    public async Task Microsoft_Extensions_AI_chat_client_gets_the_same_answers()
    {
        IChatClient client = Chat().AsIChatClient();
        var options = new ChatOptions { Temperature = 0, MaxOutputTokens = 24 };
        string expected = Reference.GreedyText(Reference.Chat("What is 2+2?"), 24);

        var response = await client.GetResponseAsync("What is 2+2?", options);
        Assert.Equal(expected, response.Text);
        Assert.Equal(Reference.Chat("What is 2+2?").Count, response.Usage?.InputTokenCount);

        var streamed = new StringBuilder();
        await foreach (var update in client.GetStreamingResponseAsync("What is 2+2?", options)) streamed.Append(update.Text);
        Assert.Equal(expected, streamed.ToString());
    }

    [Fact]
    public async Task The_model_list_names_the_served_model()
    {
        var models = new OpenAIModelClient(new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = Server.V1 });
        var list = (await models.GetModelsAsync()).Value;
        Assert.Equal(TinyModel.Name, Assert.Single(list).Id);
    }

    [Fact]
    public async Task An_unknown_model_is_a_404_the_client_raises()
    {
        var e = await Assert.ThrowsAsync<ClientResultException>(() => Chat("gpt-9").CompleteChatAsync([new UserChatMessage("x")]));
        Assert.Equal(404, e.Status);
        Assert.Contains("gpt-9", e.Message);
    }

    [Fact]
    public async Task Negative_max_tokens_is_a_400_the_client_raises()
    {
        var e = await Assert.ThrowsAsync<ClientResultException>(() =>
            Chat().CompleteChatAsync([new UserChatMessage("x")], new ChatCompletionOptions { MaxOutputTokenCount = -5 }));
        Assert.Equal(400, e.Status);
        Assert.Contains("max_completion_tokens -5", e.Message);
    }
}
