using System.CommandLine;
using Llama.Core;
using Llama.Core.Devices;
using Llama.Core.Generation;
using Llama.Core.Tokenization;

namespace Llama.Cli.Commands;

/// <summary>
/// <c>llama generate</c>. Contract (stable; tests and tools rely on it): with <c>--output ids</c> the last
/// line of stdout is the new token ids only, comma-separated, no spaces; with <c>--prompt "text"</c> the
/// directory's tokenizer encodes the prompt and the text streams to stdout as it is generated.
/// </summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "A Hugging Face Llama directory (config.json + safetensors [+ tokenizer])", Required = true };
        var prompt = new Option<string?>("--prompt") { Description = "Prompt text, encoded with the model directory's tokenizer (with <|begin_of_text|>)" };
        var promptIds = new Option<string?>("--prompt-ids") { Description = "Prompt as token ids, comma-separated (e.g. 12,7,99)" };
        var chat = new Option<bool>("--chat") { Description = "Wrap --prompt as a user turn in the Llama 3 chat template" };
        var system = new Option<string?>("--system") { Description = "System message for --chat" };
        var maxNew = new Option<int>("--max-new-tokens") { Description = "Most tokens to generate", DefaultValueFactory = _ => 128 };
        var temperature = new Option<double>("--temperature") { Description = "0 = greedy", DefaultValueFactory = _ => 0.6 };
        var topK = new Option<int>("--top-k") { Description = "Keep the k most likely tokens (0 = off)", DefaultValueFactory = _ => 0 };
        var topP = new Option<double>("--top-p") { Description = "Nucleus sampling threshold (1 = off)", DefaultValueFactory = _ => 0.9 };
        var seed = new Option<long>("--seed") { Description = "Sampling seed", DefaultValueFactory = _ => 0 };
        var stop = new Option<string[]>("--stop") { Description = "Stop string (repeatable)", AllowMultipleArgumentsPerToken = false };
        var output = new Option<string?>("--output") { Description = "text or ids (default: text for --prompt, ids for --prompt-ids)" };
        var noCache = new Option<bool>("--no-kv-cache") { Description = "Recompute the whole sequence each step (for comparison)" };
        var engine = new Option<string>("--engine")
        {
            Description = "Decode steps: auto (simd where it applies: CPU, float32, plain layers, KV cache on; else torch), torch or simd",
            DefaultValueFactory = _ => "auto",
        };
        var device = CommonOptions.Device();
        var dtype = CommonOptions.Dtype();
        var threads = CommonOptions.Threads();
        var command = new Command("generate", "Generate tokens from a model directory")
        {
            model, prompt, promptIds, chat, system, maxNew, temperature, topK, topP, seed, stop, output, noCache, engine, device, dtype, threads,
        };
        command.SetAction((parse, cancellation) =>
        {
            CommonOptions.ApplyThreads(parse.GetValue(threads));
            string? text = parse.GetValue(prompt), ids = parse.GetValue(promptIds);
            if ((text is null) == (ids is null)) throw new ArgumentException("give exactly one of --prompt and --prompt-ids");
            string outputMode = parse.GetValue(output) ?? (text is not null ? "text" : "ids");
            if (outputMode is not ("text" or "ids")) throw new ArgumentException($"--output '{outputMode}' must be text or ids");
            if (parse.GetValue(chat) && text is null) throw new ArgumentException("--chat needs --prompt");

            string directory = parse.GetValue(model)!;
            var tokenizer = text is not null || outputMode == "text" ? Llama3Tokenizer.FromDirectory(directory) : null;
            using var llama = LlamaDirectory.Load(directory, DeviceSpec.Parse(parse.GetValue(device)!), DeviceSpec.ParseDtype(parse.GetValue(dtype)!));

            IReadOnlyList<int> promptTokens = text is null
                ? ParseIds(ids!, llama.Config.VocabSize)
                : parse.GetValue(chat)
                    ? Llama3ChatTemplate.Encode(tokenizer!, ChatTurns(parse.GetValue(system), text)).Ids
                    : tokenizer!.Encode(text, bos: true);

            var stopIds = llama.Config.EosTokenIds.ToList();
            if (tokenizer is not null) stopIds.AddRange([tokenizer.EosId, tokenizer.EotId]);
            var options = new SamplingOptions
            {
                MaxNewTokens = parse.GetValue(maxNew), Temperature = parse.GetValue(temperature), TopK = parse.GetValue(topK),
                TopP = parse.GetValue(topP), Seed = parse.GetValue(seed), StopTokenIds = stopIds.Distinct().ToArray(),
                StopStrings = parse.GetValue(stop) ?? [], UseKvCache = !parse.GetValue(noCache),
            };
            var generator = new LlamaGenerator(llama, ParseEngine(parse.GetValue(engine)!));
            generator.EngineFor(options); // an explicit --engine simd that does not apply fails here, before any output
            if (outputMode == "ids")
            {
                var newIds = generator.Generate(promptTokens, options, cancellation).Select(t => t.Id);
                Console.WriteLine(string.Join(",", newIds));
            }
            else
            {
                foreach (var delta in new StreamingTextGenerator(generator, tokenizer!).Generate(promptTokens, options, cancellation))
                {
                    Console.Write(delta.Text);
                    Console.Out.Flush();
                }
                Console.WriteLine();
            }
            return Task.FromResult(0);
        });
        return command;
    }

    internal static DecodeEngine ParseEngine(string name) => name switch
    {
        "auto" => DecodeEngine.Auto,
        "torch" => DecodeEngine.TorchSharp,
        "simd" => DecodeEngine.Simd,
        _ => throw new ArgumentException($"--engine '{name}' must be auto, torch or simd"),
    };

    private static IReadOnlyList<ChatMessage> ChatTurns(string? system, string user) =>
        system is null ? [new ChatMessage("user", user)] : [new ChatMessage("system", system), new ChatMessage("user", user)];

    private static int[] ParseIds(string text, int vocabSize)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0) throw new ArgumentException("--prompt-ids is empty");
        return parts.Select(p => int.TryParse(p, out int id) && id >= 0 && id < vocabSize
            ? id
            : throw new ArgumentException($"--prompt-ids: '{p}' is not a token id in [0, {vocabSize})")).ToArray();
    }
}
