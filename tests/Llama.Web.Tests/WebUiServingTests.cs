using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace Llama.Web.Tests;

/// <summary>The web role over HTTP: the embedded UI files, the registry API beside them, and the chat proxy.</summary>
public sealed class WebUiServingTests : IAsyncLifetime
{
    private FakeServingApi _serving = null!;
    private WebRoleHost _web = null!;

    public async Task InitializeAsync()
    {
        _serving = await FakeServingApi.StartAsync();
        _web = await WebRoleHost.StartAsync(_serving.Address.ToString());
    }

    public async Task DisposeAsync()
    {
        await _web.DisposeAsync();
        await _serving.DisposeAsync();
    }

    [Fact]
    public async Task The_root_serves_the_page_that_loads_the_app_module()
    {
        var response = await _web.Http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("""<script type="module" src="js/app.js"></script>""", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/app.css", "text/css")]
    [InlineData("/js/app.js", "text/javascript")]
    [InlineData("/js/charts.js", "text/javascript")]
    [InlineData("/js/chat.js", "text/javascript")]
    public async Task Stylesheet_and_modules_come_from_the_assembly_with_their_content_type(string path, string type)
    {
        var response = await _web.Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(type, response.Content.Headers.ContentType?.MediaType);
        Assert.True((await response.Content.ReadAsByteArrayAsync()).Length > 100);
    }

    [Fact]
    public async Task Every_module_an_import_names_is_embedded()
    {
        // A module imported but not embedded would break the whole page in the browser, silently on the server.
        var embedded = WebUiEndpoints.EmbeddedFiles().ToHashSet();
        foreach (string module in embedded.Where(n => n.EndsWith(".js", StringComparison.Ordinal)))
        {
            string source = await _web.Http.GetStringAsync("/js/" + module["Llama.Web.wwwroot.js.".Length..]);
            foreach (System.Text.RegularExpressions.Match import in System.Text.RegularExpressions.Regex.Matches(source, """from '\./([\w-]+\.js)'"""))
                Assert.Contains("Llama.Web.wwwroot.js." + import.Groups[1].Value, embedded);
        }
    }

    [Fact]
    public async Task The_registry_api_is_served_beside_the_ui()
    {
        var runs = await _web.Http.GetFromJsonAsync<JsonElement>("/api/runs");
        Assert.Contains(runs.EnumerateArray(), r => r.GetProperty("name").GetString() == SeededPlatform.RunName);
        var settings = await _web.Http.GetFromJsonAsync<JsonElement>("/api/web/settings");
        Assert.Equal(_serving.Address.ToString(), settings.GetProperty("servingUrl").GetString());
        Assert.Equal(ServiceEndpoint.ServingUrlKey, settings.GetProperty("servingUrlSource").GetString());
    }

    [Fact]
    public async Task Chat_requests_reach_the_serving_api_unchanged()
    {
        string body = """{"model":"m","messages":[{"role":"user","content":"Hi there"}],"stream":true}""";
        using var response = await _web.Http.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var received = Assert.Single(_serving.Requests);
        Assert.Equal(Encoding.UTF8.GetByteCount(body), Assert.Single(_serving.ContentLengths));
        Assert.True(received.GetProperty("stream").GetBoolean());
        Assert.Equal("Hi there", received.GetProperty("messages")[0].GetProperty("content").GetString());
        string events = await response.Content.ReadAsStringAsync();
        Assert.EndsWith("data: [DONE]\n\n", events);
        Assert.Equal(FakeServingApi.Answer.Length + 1, events.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task Chat_events_are_forwarded_as_they_come_not_when_the_answer_ends()
    {
        _serving.HoldAfterFirstChunk();
        string body = """{"model":"m","messages":[{"role":"user","content":"Hi"}],"stream":true}""";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        using var response = await _web.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        // The fake sends nothing more until released: this line arrives only if the proxy does not buffer.
        string? first = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Contains("\"Hello\"", first);
        _serving.ReleaseRest();
        Assert.EndsWith("data: [DONE]\n\n", await reader.ReadToEndAsync());
    }

    [Fact]
    public async Task The_model_list_comes_from_the_serving_api()
    {
        var models = await _web.Http.GetFromJsonAsync<JsonElement>("/v1/models");
        Assert.Equal(FakeServingApi.ModelName, models.GetProperty("data")[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task Without_a_serving_url_chat_is_a_503_problem_naming_the_setting()
    {
        await using var web = await WebRoleHost.StartAsync(servingUrl: null);
        var response = await web.Http.PostAsync("/v1/chat/completions", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(ServiceEndpoint.ServingUrlKey, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task An_unreachable_serving_api_is_a_502_problem()
    {
        // Port 9 (discard) on loopback: nothing listens there on these machines.
        await using var web = await WebRoleHost.StartAsync("http://127.0.0.1:9/");
        var response = await web.Http.PostAsync("/v1/chat/completions", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("127.0.0.1:9", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Fact]
    public void The_serving_url_comes_from_the_setting_first_then_from_aspire_service_discovery()
    {
        static ServiceEndpoint From(params (string Key, string Value)[] pairs) => ServiceEndpoint.Serving(
            new ConfigurationBuilder().AddInMemoryCollection(pairs.Select(p => KeyValuePair.Create(p.Key, (string?)p.Value))).Build());

        Assert.Equal(new Uri("http://a:1/"), From(("Llama:ServingUrl", "http://a:1/"), ("services:serving:http:0", "http://b:2")).Url);
        Assert.Equal(new Uri("http://b:2/"), From(("services:serving:http:0", "http://b:2")).Url);
        Assert.Null(From().Url);
        var error = Assert.Throws<InvalidOperationException>(() => From(("Llama:ServingUrl", "not a url")));
        Assert.Contains("Llama:ServingUrl", error.Message);
    }
}
