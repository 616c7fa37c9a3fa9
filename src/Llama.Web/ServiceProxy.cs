using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Llama.Web;

/// <summary>
/// Forwards the browser's requests for one service (chat to serving, pipeline jobs to the pipeline service) to the
/// same path there, and streams the answer back as it comes (server-sent events: chat tokens, job progress), chunk
/// by chunk, so the page updates as the service works.
/// </summary>
/// <remarks>
/// Its own <see cref="HttpClient"/> rather than the service defaults' resilient one: a request is neither retried
/// (a job must not be submitted twice) nor cut at the standard handler's 10-second attempt timeout (a long answer
/// or a job's event stream lasts minutes). Telemetry still flows: the OpenTelemetry HTTP instrumentation sees every
/// <see cref="HttpClient"/>, and the request carries this one's trace on to the service.
/// </remarks>
public sealed class ServiceProxy(ServiceEndpoint endpoint)
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        // Bounds the wait for the response headers only: the body is read after SendAsync returns.
        Timeout = TimeSpan.FromMinutes(5),
    };

    public ServiceEndpoint Endpoint { get; } = endpoint;

    /// <summary>Sends the request on to the same path and query at the service, and copies its answer back.</summary>
    public async Task ForwardAsync(HttpContext context)
    {
        string role = Endpoint.Role;
        if (Endpoint.Url is null)
        {
            await Problem(context, StatusCodes.Status503ServiceUnavailable, $"No {role} service", $"the {role} backend is {Endpoint.Source}");
            return;
        }
        // Relative, so that a service URL with a path (http://host/llama/) keeps it.
        var target = new Uri(Endpoint.Url, context.Request.Path.Value!.TrimStart('/') + context.Request.QueryString);
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), target);
        if (context.Request.ContentLength is > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            request.Content = new StreamContent(context.Request.Body);
            // Passed on when known: without it the body goes chunked, which not every server reads (Python's http.server does not).
            request.Content.Headers.ContentLength = context.Request.ContentLength;
            if (context.Request.ContentType is { } contentType) request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }
        request.Headers.TryAddWithoutValidation("Accept", context.Request.Headers.Accept.ToString());

        HttpResponseMessage response;
        try
        {
            response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        }
        catch (HttpRequestException e)
        {
            await Problem(context, StatusCodes.Status502BadGateway, $"{role} service unreachable", $"{target}: {e.Message}");
            return;
        }
        catch (TaskCanceledException) when (!context.RequestAborted.IsCancellationRequested)
        {
            await Problem(context, StatusCodes.Status504GatewayTimeout, $"{role} service timed out", $"{target}: no response within {Http.Timeout}");
            return;
        }

        using (response)
        {
            context.Response.StatusCode = (int)response.StatusCode;
            if (response.Content.Headers.ContentType is { } type) context.Response.ContentType = type.ToString();
            context.Response.Headers.CacheControl = "no-cache";
            // Without this a response-buffering layer could hold the events back until the answer is complete.
            context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
            await using var body = await response.Content.ReadAsStreamAsync(context.RequestAborted);
            var buffer = new byte[8192];
            int read;
            while ((read = await body.ReadAsync(buffer, context.RequestAborted)) > 0)
            {
                await context.Response.Body.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
        }
    }

    private static Task Problem(HttpContext context, int status, string title, string detail) =>
        Results.Problem(title: title, detail: detail, statusCode: status).ExecuteAsync(context);
}
