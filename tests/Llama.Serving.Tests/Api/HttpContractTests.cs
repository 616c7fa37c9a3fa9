using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Llama.Serving.Tests.Api;

/// <summary>Bad input gets OpenAI's error body and status; metrics, health and the extra parameters behave.</summary>
public sealed class HttpContractTests(ServingServerFixture fixture) : IClassFixture<ServingServerFixture>
{
    private ServingServer Server => fixture.Server;

    private static async Task<JsonElement> ErrorOf(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = body.RootElement.GetProperty("error");
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        Assert.False(string.IsNullOrEmpty(error.GetProperty("type").GetString()));
        return error.Clone();
    }

    [Fact]
    public async Task Malformed_JSON_is_a_400_invalid_request_error()
    {
        using var http = Server.CreateHttpClient();
        var response = await http.PostAsync("/v1/chat/completions", new StringContent("{\"model\": \"x\", \"messages\": [", Encoding.UTF8, "application/json"));
        var error = await ErrorOf(response, HttpStatusCode.BadRequest);
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Contains("JSON", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task An_unknown_model_is_a_404_model_not_found()
    {
        using var http = Server.CreateHttpClient();
        var response = await http.PostAsJsonAsync("/v1/completions", new { model = "nope", prompt = "x" });
        var error = await ErrorOf(response, HttpStatusCode.NotFound);
        Assert.Equal("model_not_found", error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_prompt_longer_than_the_context_is_a_400_context_length_exceeded()
    {
        using var http = Server.CreateHttpClient();
        string longText = string.Concat(Enumerable.Repeat("abcdefgh ", 40)); // 360 byte-level tokens > 256
        var response = await http.PostAsJsonAsync("/v1/completions", new { model = TinyModel.Name, prompt = longText, max_tokens = 4 });
        var error = await ErrorOf(response, HttpStatusCode.BadRequest);
        Assert.Equal("context_length_exceeded", error.GetProperty("code").GetString());
        Assert.Contains("256", error.GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("{\"max_tokens\": -1}", "max_tokens")]
    [InlineData("{\"max_tokens\": 0}", "max_tokens")]
    [InlineData("{\"max_tokens\": 100000}", "max_tokens")]
    [InlineData("{\"temperature\": \"hot\"}", "temperature")]
    [InlineData("{\"top_p\": 0}", "top_p")]
    [InlineData("{\"n\": 0}", "n")]
    [InlineData("{\"stop\": 5}", "stop")]
    [InlineData("{\"messages\": []}", "messages")]
    [InlineData("{\"messages\": [{\"role\": \"wizard\", \"content\": \"x\"}]}", "messages[0].role")]
    public async Task A_bad_parameter_is_a_400_naming_it(string overrides, string param)
    {
        var body = JsonDocument.Parse("{\"model\": \"" + TinyModel.Name + "\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}").RootElement;
        var merged = new Dictionary<string, JsonElement>();
        foreach (var p in body.EnumerateObject()) merged[p.Name] = p.Value;
        foreach (var p in JsonDocument.Parse(overrides).RootElement.EnumerateObject()) merged[p.Name] = p.Value;
        using var http = Server.CreateHttpClient();
        var response = await http.PostAsJsonAsync("/v1/chat/completions", merged);
        var error = await ErrorOf(response, HttpStatusCode.BadRequest);
        Assert.Equal(param, error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task A_body_over_the_size_limit_is_a_413()
    {
        using var http = Server.CreateHttpClient();
        string huge = new('a', 100 * 1024);
        var response = await http.PostAsJsonAsync("/v1/completions", new { model = TinyModel.Name, prompt = huge });
        var error = await ErrorOf(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal("request_too_large", error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task N_choices_with_a_seed_repeat_and_carry_logprobs()
    {
        using var http = Server.CreateHttpClient();
        var request = new { model = TinyModel.Name, messages = new[] { new { role = "user", content = "pick" } }, n = 2, seed = 11, temperature = 1.0, max_tokens = 8, logprobs = true, top_logprobs = 3 };
        async Task<JsonElement> Ask()
        {
            var response = await http.PostAsJsonAsync("/v1/chat/completions", request);
            response.EnsureSuccessStatusCode();
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        }
        var first = await Ask();
        var second = await Ask();
        var choices = first.GetProperty("choices");
        Assert.Equal(2, choices.GetArrayLength());
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal(choices[i].GetProperty("message").GetProperty("content").GetString(),
                second.GetProperty("choices")[i].GetProperty("message").GetProperty("content").GetString());
            var tokens = choices[i].GetProperty("logprobs").GetProperty("content");
            Assert.True(tokens.GetArrayLength() > 0);
            foreach (var t in tokens.EnumerateArray())
            {
                Assert.True(t.GetProperty("logprob").GetDouble() <= 0);
                Assert.Equal(3, t.GetProperty("top_logprobs").GetArrayLength());
            }
        }
        int completionTokens = first.GetProperty("usage").GetProperty("completion_tokens").GetInt32();
        Assert.Equal(choices[0].GetProperty("logprobs").GetProperty("content").GetArrayLength() + choices[1].GetProperty("logprobs").GetProperty("content").GetArrayLength(), completionTokens);
    }

    [Fact]
    public async Task Legacy_completion_logprobs_list_every_generated_token()
    {
        using var http = Server.CreateHttpClient();
        var response = await http.PostAsJsonAsync("/v1/completions", new { model = TinyModel.Name, prompt = "log", max_tokens = 6, logprobs = 2, ignore_eos = true });
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var logprobs = body.RootElement.GetProperty("choices")[0].GetProperty("logprobs");
        Assert.Equal(6, logprobs.GetProperty("tokens").GetArrayLength());
        Assert.All(logprobs.GetProperty("token_logprobs").EnumerateArray(), lp => Assert.True(lp.GetDouble() <= 0));
        Assert.Equal(6, logprobs.GetProperty("top_logprobs").GetArrayLength());
        Assert.Equal(6, body.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task A_repeated_prompt_reports_its_prefix_cache_hits_as_cached_tokens()
    {
        using var http = Server.CreateHttpClient();
        var request = new { model = TinyModel.Name, messages = new[] { new { role = "user", content = "The same long question, asked twice by two users." } }, max_tokens = 2 };
        async Task<JsonElement> UsageOf()
        {
            var response = await http.PostAsJsonAsync("/v1/chat/completions", request);
            response.EnsureSuccessStatusCode();
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("usage").Clone();
        }
        var first = await UsageOf();
        var second = await UsageOf();
        int prompt = second.GetProperty("prompt_tokens").GetInt32();
        int cached = second.GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32();
        Assert.Equal((prompt - 1) / 16 * 16, cached); // every full block but the one holding the last prompt token
        Assert.True(cached > 0);
        Assert.True(first.GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32() < cached);
    }

    [Fact]
    public async Task Metrics_and_health_report_the_engine()
    {
        using var http = Server.CreateHttpClient();
        (await http.PostAsJsonAsync("/v1/completions", new { model = TinyModel.Name, prompt = "metrics", max_tokens = 3 })).EnsureSuccessStatusCode();
        string metrics = await http.GetStringAsync("/metrics");
        foreach (var name in new[] { "llama_num_requests_running", "llama_num_requests_waiting", "llama_kv_cache_usage_perc",
                     "llama_time_to_first_token_seconds_count", "llama_time_per_output_token_seconds_bucket", "llama_generation_tokens_per_second",
                     "llama_generation_tokens_total", "llama_prefix_cache_hits_total" })
            Assert.Contains(name, metrics);
        Assert.DoesNotContain("llama_time_to_first_token_seconds_count 0", metrics);
        Assert.Equal("Healthy", await http.GetStringAsync("/health"));
    }
}
