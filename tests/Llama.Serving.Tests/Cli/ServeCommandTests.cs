using Llama.Serving.Hosting;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Llama.Serving.Tests.Engine;

namespace Llama.Serving.Tests.Cli;

/// <summary>`llama serve` and `llama generate` run as a user runs them (the executable built next to the tests).</summary>
public sealed class ServeCommandTests
{
    private static ProcessStartInfo Llama(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "llama.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        return start;
    }

    /// <summary>`llama generate --prompt TEXT` greedy: the text it prints (without the final newline).</summary>
    private static string LlamaGenerate(string prompt, int maxNewTokens)
    {
        using var process = Process.Start(Llama("generate", "--model", TinyModel.Directory, "--prompt", prompt, "--temperature", "0",
            "--max-new-tokens", maxNewTokens.ToString(), "--threads", "1"))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "llama generate did not finish");
        Assert.True(process.ExitCode == 0, stderr.Result);
        return stdout.Result[..^1];
    }

    private static async Task<string> CompleteAsync(HttpClient http, string prompt, int maxTokens)
    {
        var response = await http.PostAsJsonAsync("/v1/completions", new { model = TinyModel.Name, prompt, max_tokens = maxTokens, temperature = 0 });
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("choices")[0].GetProperty("text").GetString()!;
    }

    [Fact]
    public async Task Greedy_output_through_the_server_equals_llama_generate_alone_and_beside_16_running_requests()
    {
        const string prompt = "The quick brown fox";
        string expected = LlamaGenerate(prompt, 32);

        await using var server = await ServingServer.StartAsync(new ServingOptions { Engine = new() { MaxModelLength = 2048 } });
        using var http = server.CreateHttpClient();
        Assert.Equal(expected, await CompleteAsync(http, prompt, 32));

        // 16 other streams with other prompts and random sampling keep the batch full while the same request runs again.
        using var stopOthers = new CancellationTokenSource();
        var others = Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
        {
            var body = new { model = TinyModel.Name, prompt = $"Other request {i}: " + new string('x', i), max_tokens = 1500, temperature = 1.0, seed = i, ignore_eos = true, stream = true };
            try
            {
                using var response = await http.PostAsJsonAsync("/v1/completions", body, stopOthers.Token);
                await response.Content.CopyToAsync(Stream.Null, stopOthers.Token);
            }
            catch (OperationCanceledException) { }
        })).ToArray();
        await InferenceEngineTests.WaitUntilAsync(() => server.Model.Engine.Stats.Running >= 16);

        string underLoad = await CompleteAsync(http, prompt, 32);
        Assert.True(server.Model.Engine.Stats.Running >= 16, "the other requests should still be running");
        stopOthers.Cancel();
        await Task.WhenAll(others);
        Assert.Equal(expected, underLoad);
    }

    [Fact]
    public async Task Llama_serve_listens_on_the_port_and_requires_the_api_key()
    {
        int port = FreePort();
        using var process = Process.Start(Llama("serve", "--model", TinyModel.Directory, "--port", port.ToString(), "--api-key", "sk-cli", "--threads", "1"))!;
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            string firstLine = (await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(1)))!;
            Assert.Contains($"serving '{TinyModel.Name}'", firstLine);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/v1/models")).StatusCode);
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "sk-cli");
            using var models = JsonDocument.Parse(await http.GetStringAsync("/v1/models"));
            Assert.Equal(TinyModel.Name, models.RootElement.GetProperty("data")[0].GetProperty("id").GetString());
            Assert.Contains("<title>Llama chat</title>", await http.GetStringAsync("/"));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }
    }

    [Fact]
    public async Task The_serving_role_of_llama_service_serves_the_configured_model()
    {
        int port = FreePort();
        string home = Path.Combine(Path.GetTempPath(), $"llama-serving-role-{Guid.NewGuid():N}");
        using var process = Process.Start(Llama("service", "--role", "serving", "--urls", $"http://127.0.0.1:{port}",
            $"--Llama:Home={home}", $"--Llama:Serving:Model={TinyModel.Directory}", "--Llama:Serving:ModelName=tiny-role"))!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var deadline = DateTime.UtcNow.AddMinutes(1);
            while (true)
            {
                try
                {
                    if ((await http.GetAsync("/health")).IsSuccessStatusCode) break;
                }
                catch (HttpRequestException) when (DateTime.UtcNow < deadline && !process.HasExited) { }
                Assert.True(DateTime.UtcNow < deadline, "the serving service did not become healthy within a minute");
                await Task.Delay(200);
            }
            using var models = JsonDocument.Parse(await http.GetStringAsync("/v1/models"));
            Assert.Equal("tiny-role", models.RootElement.GetProperty("data")[0].GetProperty("id").GetString());
            var response = await http.PostAsJsonAsync("/v1/completions", new { model = "tiny-role", prompt = "role", max_tokens = 3 });
            response.EnsureSuccessStatusCode();
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
            if (Directory.Exists(home)) Directory.Delete(home, recursive: true);
        }
    }

    [Fact]
    public async Task Llama_serve_names_a_missing_model_in_one_error_line()
    {
        using var process = Process.Start(Llama("serve", "--model", "/no/such/model", "--port", "0", "--home", Path.Combine(Path.GetTempPath(), $"llama-serve-{Guid.NewGuid():N}")))!;
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(1, process.ExitCode);
        Assert.Contains("/no/such/model", await stderr);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
