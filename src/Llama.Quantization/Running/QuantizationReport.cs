using System.Globalization;
using System.Text;
using System.Text.Json;
using Llama.Quantization.Quality;
using Llama.Quantization.Quantizer;

namespace Llama.Quantization.Running;

/// <summary>One quantized layer in the report.</summary>
public sealed record ModuleSummary(string Name, long Rows, long Columns, long Float32Bytes, long Fp8Bytes, double MeanRowError, double MaxRowError)
{
    public static ModuleSummary Of(QuantizedModule m) => new(m.Name, m.Rows, m.Columns, m.Float32Bytes, m.Fp8Bytes,
        m.RowRelativeErrors.Length == 0 ? 0 : m.RowRelativeErrors.Average(e => (double)e), m.RowRelativeErrors.DefaultIfEmpty().Max());
}

/// <summary>The size change: the quantized weights in float32 and in FP8, and the checkpoint files before and after.</summary>
public sealed record SizeSummary(long QuantizedFloat32Bytes, long QuantizedCodeBytes, long QuantizedFp8Bytes, long SourceFileBytes, long OutputFileBytes)
{
    /// <summary>float32 bytes / FP8 bytes (codes and scales) of the quantized weights: just under 4.</summary>
    public double Ratio => QuantizedFloat32Bytes / (double)QuantizedFp8Bytes;

    /// <summary>float32 bytes / code bytes: exactly 4.</summary>
    public double CodesRatio => QuantizedFloat32Bytes / (double)QuantizedCodeBytes;
}

/// <summary>What <c>llama quantize</c> reports, written next to the model as quantization_report.json and .md.</summary>
public sealed record QuantizationReport(
    string Source, string Output, QuantizeConfig Config, IReadOnlyList<ModuleSummary> Quantized,
    IReadOnlyList<KeptModule> Kept, SizeSummary Size, RowErrorDistribution RowErrors, QualityVerdict Quality,
    float ReloadMaxAbsLogitDifference, bool Promoted, double Seconds)
{
    public const string JsonFileName = "quantization_report.json";
    public const string MarkdownFileName = "quantization_report.md";

    private static readonly JsonSerializerOptions Json = new(QuantizeConfig.Json) { UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Skip };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public void Write(string directory)
    {
        File.WriteAllText(Path.Combine(directory, JsonFileName), ToJson());
        File.WriteAllText(Path.Combine(directory, MarkdownFileName), ToMarkdown());
    }

    public string ToMarkdown()
    {
        var inv = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        void Line(FormattableString s) => md.AppendLine(s.ToString(inv));
        Line($"# FP8 quantization report");
        md.AppendLine();
        Line($"Source `{Source}` → `{Output}` (fbgemm_fp8: row-wise E4M3 weights, per-token activations, amax bound {Config.ActivationScaleUpperBound}).");
        md.AppendLine();
        Line($"**Verdict: {(Promoted ? "promoted" : "FLAGGED, not promoted")}**");
        foreach (var v in Quality.Violations) Line($"- {v}");
        md.AppendLine();
        md.AppendLine("## Quality against the unquantized model");
        md.AppendLine("| metric | unquantized | FP8 | change | budget |");
        md.AppendLine("|---|---|---|---|---|");
        Line($"| perplexity ({Quality.ScoredTokens} held-out tokens) | {Quality.ReferencePerplexity:0.000} | {Quality.QuantizedPerplexity:0.000} | {Quality.PerplexityIncrease:+0.0000%;-0.0000%} | ≤ {Quality.MaxPerplexityIncrease:+0.0%} |");
        Line($"| top-1 next-token agreement | 100% | {Quality.Top1Agreement:0.00%} | | ≥ {Quality.MinTop1Agreement:0.0%} |");
        Line($"| greedy continuation, common prefix | 100% | {Quality.ContinuationPrefixAgreement:0.00%} ({Quality.ContinuationsIdentical}/{Quality.Continuations} identical) | | |");
        Line($"| reloaded checkpoint vs in-memory FP8 model, max abs logit difference | | {ReloadMaxAbsLogitDifference:G3} | | |");
        md.AppendLine();
        md.AppendLine("## Size");
        Line($"- Quantized feed-forward weights: {Size.QuantizedFloat32Bytes / 1e6:0.000} MB in float32 → {Size.QuantizedFp8Bytes / 1e6:0.000} MB in FP8 with scales ({Size.Ratio:0.00}x smaller; codes alone {Size.CodesRatio:0.00}x).");
        Line($"- Checkpoint files: {Size.SourceFileBytes / 1e6:0.000} MB → {Size.OutputFileBytes / 1e6:0.000} MB.");
        md.AppendLine();
        md.AppendLine("## Per-row relative weight error ‖w − dequant(w)‖ / ‖w‖");
        Line($"{RowErrors.Rows} rows: mean {RowErrors.Mean:0.0000}, p50 {RowErrors.P50:0.0000}, p90 {RowErrors.P90:0.0000}, p99 {RowErrors.P99:0.0000}, max {RowErrors.Max:0.0000} (in {RowErrors.WorstModule}).");
        md.AppendLine();
        md.AppendLine("| quantized layer | shape | mean row error | max row error |");
        md.AppendLine("|---|---|---|---|");
        foreach (var m in Quantized) Line($"| {m.Name} | {m.Rows}x{m.Columns} | {m.MeanRowError:0.0000} | {m.MaxRowError:0.0000} |");
        md.AppendLine();
        md.AppendLine("Kept in high precision: " + string.Join(", ", Kept.GroupBy(k => k.Reason).Select(g => $"{g.Count()} ({g.Key})")) + ".");
        Line($"\nTook {Seconds:0.0} s.");
        return md.ToString();
    }
}

/// <summary>A linear layer left in high precision and why.</summary>
public sealed record KeptModule(string Module, string Reason);
