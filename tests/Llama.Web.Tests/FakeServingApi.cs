using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Llama.Web.Tests;

/// <summary>
/// A test double of the serving service's OpenAI API (the real one has its own tests): <c>/v1/models</c> lists one
/// model, <c>/v1/chat/completions</c> with <c>stream: true</c> answers <see cref="Answer"/> as SSE chunks, one
/// per piece, then <c>[DONE]</c>. Before the second chunk it waits for <see cref="ReleaseRest"/> when held.
/// </summary>
internal sealed class FakeServingApi : IAsyncDisposable
{
    public const string ModelName = "tiny-chat-fake";
    public static readonly string[] Answer = ["Hello", " from", " the", " fake", " server"];

    private readonly WebApplication _app;
    private TaskCompletionSource _release = Completed();

    private FakeServingApi(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    /// <summary>The JSON bodies of the chat requests received, in order.</summary>
    public ConcurrentQueue<JsonElement> Requests { get; } = new();

    /// <summary>The Content-Length of each chat request (null: sent chunked).</summary>
    public ConcurrentQueue<long?> ContentLengths { get; } = new();

    public static async Task<FakeServingApi> StartAsync()
    {
        FakeServingApi? fake = null;
        var (app, address) = await LoopbackServer.StartAsync(_ => { }, app =>
        {
            app.MapGet("/v1/models", () => Results.Json(new { @object = "list", data = new[] { new { id = ModelName, @object = "model" } } }));
            app.MapPost("/v1/chat/completions", (HttpContext context) => fake!.CompleteAsync(context));
        });
        fake = new FakeServingApi(app, address);
        return fake;
    }

    /// <summary>From now on, answers stop after their first chunk until <see cref="ReleaseRest"/>.</summary>
    public void HoldAfterFirstChunk() => _release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void ReleaseRest() => _release.TrySetResult();

    private async Task CompleteAsync(HttpContext context)
    {
        ContentLengths.Enqueue(context.Request.ContentLength);
        var request = await JsonSerializer.DeserializeAsync<JsonElement>(context.Request.Body);
        Requests.Enqueue(request);
        context.Response.ContentType = "text/event-stream";
        for (int i = 0; i < Answer.Length; i++)
        {
            if (i == 1) await _release.Task.WaitAsync(TimeSpan.FromSeconds(30));
            var chunk = new
            {
                id = "chatcmpl-fake", @object = "chat.completion.chunk", model = ModelName,
                choices = new[] { new { index = 0, delta = new { content = Answer[i] }, finish_reason = (string?)null } },
            };
            await context.Response.WriteAsync($"data: {JsonSerializer.Serialize(chunk)}\n\n");
            await context.Response.Body.FlushAsync();
        }
        await context.Response.WriteAsync("data: [DONE]\n\n");
    }

    private static TaskCompletionSource Completed()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        done.SetResult();
        return done;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
