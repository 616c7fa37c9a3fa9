using System.CommandLine;
using Llama.Serving.Engine;
using Llama.Serving.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Llama.Cli.Commands;

/// <summary>
/// <c>llama serve --model DIR_OR_ID --port N [--api-key KEY]</c> (contract): an OpenAI-compatible server
/// (<c>/v1/models</c>, <c>/v1/completions</c>, <c>/v1/chat/completions</c>, streaming), <c>/health</c>,
/// <c>/metrics</c> and a chat page at <c>/</c>, over the continuous-batching engine.
/// </summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var platform = new PlatformOptions();
        var model = new Option<string>("--model") { Description = "A Hugging Face Llama directory or a model artifact id", Required = true };
        var port = new Option<int>("--port") { Description = "TCP port to listen on", DefaultValueFactory = _ => 8000 };
        var host = new Option<string>("--host") { Description = "Address to listen on (0.0.0.0 for all interfaces)", DefaultValueFactory = _ => "127.0.0.1" };
        var apiKey = new Option<string[]>("--api-key") { Description = "Require this bearer token (repeatable)" };
        var name = new Option<string?>("--model-name") { Description = "The model id clients send (default: the directory's or artifact's name)" };
        var maxModelLength = new Option<int>("--max-model-len") { Description = "Longest prompt + output in tokens (0 = the model's context, capped by the KV pool)", DefaultValueFactory = _ => 0 };
        var kvBlocks = new Option<int>("--kv-blocks") { Description = "KV-cache blocks in the pool", DefaultValueFactory = _ => new EngineOptions().NumBlocks };
        var blockSize = new Option<int>("--block-size") { Description = "Tokens per KV-cache block", DefaultValueFactory = _ => new EngineOptions().BlockSize };
        var maxBatch = new Option<int>("--max-batch") { Description = "Most sequences decoding together", DefaultValueFactory = _ => new EngineOptions().MaxRunningSequences };
        var maxTokens = new Option<int>("--max-tokens-limit") { Description = "Largest max_tokens a request may ask for", DefaultValueFactory = _ => 4096 };
        var noPrefixCache = new Option<bool>("--no-prefix-caching") { Description = "Do not reuse KV blocks of shared prompt prefixes" };
        var device = CommonOptions.Device();
        var dtype = CommonOptions.Dtype();
        var threads = CommonOptions.Threads();
        var command = new Command("serve", "Serve a model over an OpenAI-compatible HTTP API with continuous batching")
        {
            model, port, host, apiKey, name, maxModelLength, kvBlocks, blockSize, maxBatch, maxTokens, noPrefixCache, device, dtype, threads,
        };
        platform.AddTo(command);
        command.SetAction(async (parse, cancellation) =>
        {
            CommonOptions.ApplyThreads(parse.GetValue(threads));
            int listenPort = parse.GetValue(port);
            if (listenPort is < 0 or > 65535) throw new ArgumentException($"--port ({listenPort}) must be in [0, 65535]");
            var options = new ServingOptions
            {
                Model = parse.GetValue(model),
                ModelName = parse.GetValue(name),
                Device = parse.GetValue(device)!,
                Dtype = parse.GetValue(dtype)!,
                ApiKeys = parse.GetValue(apiKey) ?? [],
                Engine = new EngineOptions
                {
                    MaxModelLength = parse.GetValue(maxModelLength), NumBlocks = parse.GetValue(kvBlocks), BlockSize = parse.GetValue(blockSize),
                    MaxRunningSequences = parse.GetValue(maxBatch), EnablePrefixCaching = !parse.GetValue(noPrefixCache),
                },
                Limits = new() { MaxTokens = parse.GetValue(maxTokens) },
            };
            options.Engine.Validate();
            var (directory, modelName) = await ModelLocator.ResolveAsync(options.Model!, platform.Resolve(parse), cancellation);
            using var served = ServedModel.Load(directory, options.ModelName ?? modelName, options);

            var builder = WebApplication.CreateBuilder();
            builder.WebHost.UseUrls($"http://{parse.GetValue(host)}:{listenPort}");
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.AddServiceDefaults();
            builder.Services.AddLlamaServing(options, served);
            await using var app = builder.Build();
            app.MapDefaultEndpoints();
            app.MapServingApi();
            await app.StartAsync(cancellation);
            string url = app.Urls.First();
            Console.WriteLine($"serving '{served.Id}' ({served.Engine.Model.DType}, context {served.Engine.MaxModelLength} tokens, " +
                $"{options.Engine.NumBlocks} KV blocks of {options.Engine.BlockSize}) at {url}");
            Console.WriteLine($"OpenAI API: {url}/v1   chat page: {url}/   metrics: {url}/metrics{(options.ApiKeys.Count > 0 ? "   (API key required)" : "")}");
            await app.WaitForShutdownAsync(cancellation);
            return 0;
        });
        return command;
    }
}
