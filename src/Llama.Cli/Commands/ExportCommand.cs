using Llama.Core;
using System.CommandLine;
using System.Globalization;
using Llama.Interop;
using Llama.Interop.Gguf;
using Llama.Pretraining.Training;

namespace Llama.Cli.Commands;

/// <summary>
/// <c>llama export gguf --model DIR_OR_ID --out FILE.gguf [--dtype f32|f16|q8_0]</c> (contract): the model as a GGUF v3
/// file that llama.cpp loads (architecture metadata, tokenizer, tensors under llama.cpp's names).
/// Not to be confused with <c>llama data export</c> (curated data).
/// </summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var platform = new PlatformOptions();
        var model = new Option<string>("--model") { Description = "A Hugging Face Llama directory (with its tokenizer) or a model artifact id", Required = true };
        var output = new Option<string>("--out") { Description = "The GGUF file to write", Required = true };
        var dtype = new Option<string>("--dtype") { Description = $"Matrix storage: {string.Join(", ", GgufExportDtypes.Names)} (norms stay f32)", DefaultValueFactory = _ => "f32" };
        var gguf = new Command("gguf", "Export a model as GGUF for llama.cpp") { model, output, dtype };
        platform.AddTo(gguf);
        gguf.SetAction(async (parse, cancellation) =>
        {
            var storage = GgufExportDtypes.Parse(parse.GetValue(dtype)!); // checked before any loading
            var (directory, _) = await Llama.Platform.Artifacts.ModelArtifactFolder.ResolveAsync(parse.GetValue(model)!, platform.Resolve(parse), cancellation);
            var line = new ConsoleProgressLine();
            var progress = new SynchronousProgress<GgufWriteProgress>(p => line.Show(p.Written / (double)p.Total, $"tensors: {p.Written}/{p.Total} ({p.Name})"));
            var summary = LlamaGgufExporter.Export(directory, parse.GetValue(output)!, storage, progress);
            line.Done();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"wrote {summary.Path}: GGUF v3, {summary.TensorCount} tensors, {summary.Dtype.ToString().ToLowerInvariant()}, vocab {summary.VocabSize}, {summary.Bytes / 1e6:0.0} MB"));
            return 0;
        });
        return new Command("export", "Export a model for other engines") { gguf };
    }
}
