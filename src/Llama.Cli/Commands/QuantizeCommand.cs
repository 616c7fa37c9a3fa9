using System.CommandLine;
using System.Globalization;
using Llama.Platform.Configuration;
using Llama.Quantization;
using Llama.Quantization.Running;

namespace Llama.Cli.Commands;

/// <summary>
/// <c>llama quantize --model DIR_OR_ID --out DIR</c> (contract): row-wise FP8 of the feed-forward layers as in Llama 3,
/// written as an fbgemm_fp8 Hugging Face directory that <c>llama generate</c> loads, with a quality report. Exit code 0
/// when the quality check passed (promoted), 3 when the quantization was flagged (written and recorded, not promoted).
/// </summary>
internal static class QuantizeCommand
{
    public const int FlaggedExitCode = 3;

    public static Command Create()
    {
        var platform = new PlatformOptions();
        var model = new Option<string>("--model") { Description = "A Hugging Face Llama directory or a model artifact id", Required = true };
        var output = new Option<string>("--out") { Description = "Where the FP8 model directory goes (with quantization_report.md/.json)", Required = true };
        var config = new Option<string?>("--config") { Description = "Quantization config JSON (`llama quantize print-config` shows the defaults)" };
        var set = new Option<string[]>("--set") { Description = "Override one config value, e.g. --set skipFirstLayers=0 or --set quality.maxTokens=1024 (repeatable)" };
        var name = new Option<string?>("--name") { Description = "Run name (default: the output folder's name)" };
        var noRecord = new Option<bool>("--no-record") { Description = "Do not record the run in the metadata database and object store" };
        var device = CommonOptions.Device();
        var threads = CommonOptions.Threads();
        var command = new Command("quantize", "Quantize a model's feed-forward layers to row-wise FP8 (fbgemm_fp8 layout) and check its quality")
        {
            model, output, config, set, name, noRecord, device, threads,
        };
        platform.AddTo(command);
        command.SetAction(async (parse, cancellation) =>
        {
            CommonOptions.ApplyThreads(parse.GetValue(threads));
            var quantizeConfig = parse.GetValue(config) is { } path ? QuantizeConfig.Load(path) : new QuantizeConfig();
            quantizeConfig = JsonOverrides.Apply(quantizeConfig, parse.GetValue(set) ?? [], QuantizeConfig.Json);
            quantizeConfig.Validate("--set");
            var request = new QuantizeRequest(parse.GetValue(model)!, parse.GetValue(output)!, quantizeConfig, parse.GetValue(device)!, parse.GetValue(name));
            var line = new ConsoleProgressLine();
            var progress = new Llama.Quantization.Running.SynchronousProgress(p => line.Show(p.Fraction, p.Message));
            var outcome = await QuantizeRunner.RunAsync(request, parse.GetValue(noRecord) ? null : platform.Resolve(parse), progress, cancellation);
            line.Done();
            var r = outcome.Report;
            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine(string.Create(inv, $"quantized {r.Quantized.Count} feed-forward layers: {r.Size.QuantizedFloat32Bytes / 1e6:0.00} MB float32 -> {r.Size.QuantizedFp8Bytes / 1e6:0.00} MB FP8 ({r.Size.Ratio:0.00}x); files {r.Size.SourceFileBytes / 1e6:0.00} -> {r.Size.OutputFileBytes / 1e6:0.00} MB"));
            Console.WriteLine(string.Create(inv, $"perplexity {r.Quality.ReferencePerplexity:0.000} -> {r.Quality.QuantizedPerplexity:0.000} ({r.Quality.PerplexityIncrease:+0.0000%;-0.0000%}) on {r.Quality.ScoredTokens} tokens; top-1 agreement {r.Quality.Top1Agreement:0.00%}; row error p50 {r.RowErrors.P50:0.0000}, p99 {r.RowErrors.P99:0.0000}"));
            Console.WriteLine($"model: {outcome.OutputDirectory}  (llama generate --model {outcome.OutputDirectory} --prompt \"...\")");
            Console.WriteLine($"report: {Path.Combine(outcome.OutputDirectory, QuantizationReport.MarkdownFileName)}");
            if (outcome.ModelArtifactId is { } artifact) Console.WriteLine($"{(r.Promoted ? "model" : "flagged-model")} artifact {artifact} (run {outcome.RunId})");
            if (r.Promoted) return 0;
            Console.WriteLine("FLAGGED, not promoted: " + string.Join("; ", r.Quality.Violations));
            return FlaggedExitCode;
        });
        var print = new Command("print-config", "Print the default quantization config as JSON");
        print.SetAction(_ => { Console.WriteLine(new QuantizeConfig().ToJson()); return 0; });
        command.Subcommands.Add(print);
        return command;
    }
}
