using System.Diagnostics;
using Llama.Core;
using Llama.Core.Devices;
using Llama.Core.Model;
using Llama.Core.Tokenization;
using Llama.Platform;
using Llama.Platform.Artifacts;
using Llama.Quantization.Quality;
using Llama.Quantization.Quantizer;
using static TorchSharp.torch;

namespace Llama.Quantization.Running;

/// <summary>What to quantize (a directory or model artifact id), how, and where the FP8 directory goes.</summary>
public sealed record QuantizeRequest(string Model, string Output, QuantizeConfig Config, string Device = "cpu", string? Name = null);

/// <summary>The FP8 directory, its report, and where it was recorded.</summary>
public sealed record QuantizeOutcome(string OutputDirectory, QuantizationReport Report, Guid? RunId, Guid? ModelArtifactId);

/// <summary>One step of a quantization, for progress lines and job progress.</summary>
public sealed record QuantizeProgress(double Fraction, string Message);

/// <summary>
/// The one entry point of the quantization stage (<c>llama quantize</c> and the quantization service): loads the
/// model, measures it on held-out text, quantizes the planned layers to row-wise FP8, measures again, writes the
/// fbgemm_fp8 directory with its report, checks that the written directory loads back to the same logits, and
/// records the result, promoted only when the quality check passed.
/// </summary>
public static class QuantizeRunner
{
    public static async Task<QuantizeOutcome> RunAsync(QuantizeRequest request, PlatformSettings? platform,
        IProgress<QuantizeProgress>? progress = null, CancellationToken cancellation = default)
    {
        var clock = Stopwatch.StartNew();
        var config = request.Config;
        config.Validate();
        var device = DeviceSpec.Parse(request.Device);
        var (directory, sourceArtifact) = await ModelArtifactFolder.ResolveAsync(request.Model, platform, cancellation);
        if (Path.GetFullPath(directory).TrimEnd('/') == Path.GetFullPath(request.Output).TrimEnd('/'))
            throw new ArgumentException($"--out '{request.Output}' is the source model's directory; write the FP8 model elsewhere");
        var tokenizer = File.Exists(Path.Combine(directory, "tokenizer.model")) || File.Exists(Path.Combine(directory, "tokenizer.json"))
            ? Llama3Tokenizer.FromDirectory(directory)
            : throw new FileNotFoundException($"{directory}: no tokenizer.model or tokenizer.json; the quality check encodes held-out text with the model's tokenizer");
        var tokens = HeldOutTokens(config.Quality, tokenizer);

        progress?.Report(new QuantizeProgress(0, $"loading {directory}"));
        using var model = LlamaDirectory.Load(directory, device);
        var plan = QuantizationPlan.For(model, config);
        var recorder = platform is null ? null
            : await QuantizationRecorder.StartAsync(platform, request.Name ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(request.Output))),
                directory, sourceArtifact, config, cancellation);
        try
        {
            progress?.Report(new QuantizeProgress(0.05, $"measuring the unquantized model on up to {Math.Min(tokens.Count, config.Quality.MaxTokens)} held-out tokens"));
            var reference = ModelMeasurement.Take(model, tokens, config.Quality, cancellation);
            progress?.Report(new QuantizeProgress(0.4, $"quantizing {plan.Quantized.Count} layers to row-wise FP8"));
            var modules = RowwiseFp8Quantizer.Quantize(model, plan, config);
            progress?.Report(new QuantizeProgress(0.5, "measuring the FP8 model"));
            var quantized = ModelMeasurement.Take(model, tokens, config.Quality, cancellation);
            var verdict = QualityVerdict.Judge(reference, quantized, config.Quality);

            progress?.Report(new QuantizeProgress(0.9, $"writing {request.Output}"));
            LlamaDirectory.Save(model, request.Output, tokenizer);
            float reloadDifference = ReloadDifference(model, request.Output, tokens, device);
            var report = new QuantizationReport(Path.GetFullPath(directory), Path.GetFullPath(request.Output), config,
                modules.Select(ModuleSummary.Of).ToList(), plan.Kept.Select(k => new KeptModule(k.Module, k.Reason)).ToList(),
                new SizeSummary(modules.Sum(m => m.Float32Bytes), modules.Sum(m => m.CodeBytes), modules.Sum(m => m.Fp8Bytes),
                    WeightFileBytes(directory), WeightFileBytes(request.Output)),
                RowErrorDistribution.Of(modules), verdict, reloadDifference, verdict.Passed, clock.Elapsed.TotalSeconds);
            report.Write(request.Output);
            Guid? artifact = recorder is null ? null : await recorder.FinishAsync(request.Output, report, cancellation);
            progress?.Report(new QuantizeProgress(1, verdict.Passed ? "promoted" : "flagged: not promoted"));
            return new QuantizeOutcome(request.Output, report, recorder?.RunId, artifact);
        }
        catch (Exception e) when (recorder is not null)
        {
            await recorder.FailAsync(e);
            throw;
        }
    }

    /// <summary>The first tokens of the held-out text (only as much text is encoded as the check can use).</summary>
    private static IReadOnlyList<int> HeldOutTokens(QualityCheckConfig quality, Llama3Tokenizer tokenizer)
    {
        string path = FindText(quality.Text)
            ?? throw new FileNotFoundException($"quality.text '{quality.Text}': held-out text not found here or in a parent folder (--set quality.text=PATH)");
        using var reader = new StreamReader(path);
        // No tokenizer here makes tokens longer than 16 characters on average of English prose; a cut word at the end is never reached.
        var buffer = new char[Math.Min(quality.MaxTokens * 16L, 64L << 20)];
        int read = reader.ReadBlock(buffer, 0, buffer.Length);
        return tokenizer.Encode(new string(buffer, 0, read), bos: true);
    }

    /// <summary>A relative path is looked for from the working folder up: a service runs in its project folder, the CLI in the repository.</summary>
    private static string? FindText(string path)
    {
        if (Path.IsPathRooted(path)) return File.Exists(path) ? path : null;
        for (var folder = new DirectoryInfo(Environment.CurrentDirectory); folder is not null; folder = folder.Parent)
        {
            string candidate = Path.Combine(folder.FullName, path);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>Loads the written directory again and compares its logits with the in-memory FP8 model's on the first window.</summary>
    private static float ReloadDifference(LlamaModel model, string output, IReadOnlyList<int> tokens, Device device)
    {
        using var reloaded = LlamaDirectory.Load(output, device);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var ids = tensor(tokens.Take(Math.Min(64, model.Config.MaxPositionEmbeddings)).Select(t => (long)t).ToArray(), ScalarType.Int64, device).unsqueeze(0);
        return (model.Forward(ids) - reloaded.Forward(ids)).abs().max().item<float>();
    }

    private static long WeightFileBytes(string directory) =>
        Directory.EnumerateFiles(directory, "*.safetensors").Sum(f => new FileInfo(f).Length);
}
