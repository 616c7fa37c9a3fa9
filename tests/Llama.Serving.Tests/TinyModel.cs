using Llama.Core;
using Llama.Core.Model;
using Llama.Core.Tokenization;

namespace Llama.Serving.Tests;

/// <summary>
/// The transformers-made fixture tests/fixtures/hf-llama3-tiny (vocab 512) as a servable directory: its
/// config and weights plus a byte-level Llama 3 tokenizer (256 single-byte ranks + 256 specials = 512 ids), so
/// text prompts, the chat template and special tokens all work against real HF weights.
/// </summary>
internal static class TinyModel
{
    private static readonly Lazy<string> LazyDirectory = new(Create);

    public static string Directory => LazyDirectory.Value;

    public static string Name => "hf-llama3-tiny";

    public static LlamaModel Load() => LlamaDirectory.Load(Directory);

    public static Llama3Tokenizer Tokenizer() => Llama3Tokenizer.FromDirectory(Directory);

    private static string Create()
    {
        string fixture = Path.Combine(AppContext.BaseDirectory, "fixtures", "hf-llama3-tiny");
        string directory = Path.Combine(Path.GetTempPath(), $"llama-serving-tests-{Environment.ProcessId}", Name);
        System.IO.Directory.CreateDirectory(directory);
        foreach (var file in new[] { "config.json", "model.safetensors" })
            File.Copy(Path.Combine(fixture, file), Path.Combine(directory, file), overwrite: true);
        var bytes = Enumerable.Range(0, 256).Select(b => new[] { (byte)b }).ToArray();
        Llama3Tokenizer.FromRanks(bytes).Save(directory);
        return directory;
    }
}
