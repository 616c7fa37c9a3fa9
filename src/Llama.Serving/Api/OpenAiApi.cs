using System.Text.Json.Nodes;
using Llama.Serving.Hosting;
using Llama.Serving.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Llama.Serving.Api;

/// <summary>
/// The OpenAI-compatible API (<c>/v1/models</c>, <c>/v1/completions</c>, <c>/v1/chat/completions</c>), guarded by
/// API keys when any are configured. Every refusal is an OpenAI error body, so the official clients raise their
/// usual exceptions.
/// </summary>
public static class OpenAiApi
{
    public static RouteGroupBuilder MapOpenAiApi(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1");
        v1.AddEndpointFilter(async (invocation, next) =>
        {
            var options = invocation.HttpContext.RequestServices.GetRequiredService<ServingOptions>();
            if (options.ApiKeys.Count > 0 && !HasValidKey(invocation.HttpContext.Request, options.ApiKeys))
            {
                await WriteErrorAsync(invocation.HttpContext, new OpenAiException(401, "Incorrect API key provided.", OpenAiException.InvalidRequest, code: "invalid_api_key"));
                return Results.Empty;
            }
            return await next(invocation);
        });
        v1.MapGet("/models", (ServedModel model) => Results.Json(new JsonObject
        {
            ["object"] = "list",
            ["data"] = new JsonArray(new JsonObject { ["id"] = model.Id, ["object"] = "model", ["created"] = model.Created, ["owned_by"] = "llama" }),
        })).WithName("ListModels");
        v1.MapPost("/completions", (HttpContext c, ServedModel m, ServingOptions o, ServingMetrics metrics) =>
            Guarded(c, () => CompletionsEndpoint.HandleAsync(c, m, o, metrics))).WithName("CreateCompletion");
        v1.MapPost("/chat/completions", (HttpContext c, ServedModel m, ServingOptions o, ServingMetrics metrics) =>
            Guarded(c, () => ChatCompletionsEndpoint.HandleAsync(c, m, o, metrics))).WithName("CreateChatCompletion");
        return v1;
    }

    /// <summary>The request's <c>model</c> must be the one served (404 model_not_found otherwise, as OpenAI answers).</summary>
    internal static void RequireModel(JsonObject body, ServedModel model)
    {
        string requested = GenerationParameters.String(body, "model") ?? throw OpenAiException.BadParameter("model", "model is required");
        if (requested != model.Id)
            throw new OpenAiException(404, $"The model '{requested}' does not exist; this server serves '{model.Id}'.", OpenAiException.InvalidRequest, "model", "model_not_found");
    }

    private static bool HasValidKey(HttpRequest request, IReadOnlyList<string> keys)
    {
        string? header = request.Headers.Authorization;
        const string bearer = "Bearer ";
        return header is not null && header.StartsWith(bearer, StringComparison.OrdinalIgnoreCase) && keys.Contains(header[bearer.Length..].Trim());
    }

    /// <summary>Runs a handler and turns its refusals into error bodies; a client that went away ends quietly (its sequences were aborted).</summary>
    private static async Task<IResult> Guarded(HttpContext context, Func<Task> handler)
    {
        try
        {
            await handler();
        }
        catch (OpenAiException e)
        {
            if (context.Response.HasStarted) throw;
            await WriteErrorAsync(context, e);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested) { }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(OpenAiApi)).LogError(e, "request failed");
            await WriteErrorAsync(context, new OpenAiException(500, $"The server failed to generate: {e.Message}", OpenAiException.Server));
        }
        return Results.Empty;
    }

    internal static async Task WriteErrorAsync(HttpContext context, OpenAiException e)
    {
        context.Response.StatusCode = e.Status;
        await context.Response.WriteAsJsonAsync(e.ToJson(), context.RequestAborted);
    }
}
