using System.Globalization;
using System.Text;

namespace Llama.Curation.Pipeline;

/// <summary>report.md: the run report for people — what each stage removed and why, with examples, and what came out.</summary>
public static class CurationReportMarkdown
{
    public static string Render(CurationReport r)
    {
        var inv = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine("# Curation report").AppendLine();
        md.AppendLine(inv, $"Started {r.StartedAt:yyyy-MM-dd HH:mm:ss} UTC, {r.Seconds:0.0} s, peak memory {r.PeakMemoryBytes / 1e6:0} MB.");
        md.AppendLine(inv, $"Inputs: {string.Join(", ", r.Inputs.Select(i => $"`{i}`"))}.").AppendLine();

        md.AppendLine("## Stages").AppendLine();
        md.AppendLine("| stage | in | kept | modified | dropped | MB in | MB/s | docs/s |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var s in new[] { r.Ingest }.Concat(r.Stages))
            md.AppendLine(inv, $"| {s.Stage} | {s.DocumentsIn:N0} | {s.DocumentsKept:N0} | {s.DocumentsModified:N0} | {s.DocumentsDropped:N0} | {s.BytesIn / 1e6:0.00} | {s.MegabytesPerSecond:0.0} | {s.DocumentsPerSecond:N0} |");
        md.AppendLine();

        foreach (var s in new[] { r.Ingest }.Concat(r.Stages).Where(s => s.DocumentsDropped > 0))
        {
            md.AppendLine(inv, $"### {s.Stage}: {s.DocumentsDropped:N0} removed").AppendLine();
            md.AppendLine("| reason | documents |").AppendLine("|---|---:|");
            foreach (var (reason, n) in s.DroppedByReason) md.AppendLine(inv, $"| `{reason}` | {n:N0} |");
            md.AppendLine();
            md.AppendLine("By source: " + string.Join(", ", s.DroppedBySource.Select(e => $"{e.Key} {e.Value:N0}")) + ".");
            if (s.DroppedByLanguage.Count > 0)
                md.AppendLine("By language: " + string.Join(", ", s.DroppedByLanguage.Select(e => $"{e.Key} {e.Value:N0}")) + ".");
            md.AppendLine();
            foreach (var (reason, examples) in s.Examples)
                foreach (var e in examples)
                    md.AppendLine($"- `{reason}` `{e.Id}`{(e.Detail is null ? "" : $" ({Escape(e.Detail)})")}: {Escape(e.Snippet)}");
            md.AppendLine();
        }

        foreach (var (stage, summary) in r.Summaries.Where(s => s.Value is not null))
        {
            md.AppendLine(inv, $"### {stage}").AppendLine().AppendLine("```json");
            md.AppendLine(System.Text.Json.JsonSerializer.Serialize(summary, new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
            md.AppendLine("```").AppendLine();
        }

        var o = r.Output;
        md.AppendLine("## Output").AppendLine();
        md.AppendLine(inv, $"{o.Documents:N0} documents, {o.Tokens:N0} tokens, {o.Bytes / 1e6:0.00} MB of text; tokenizer `{o.TokenizerPath}` ({(o.TokenizerTrained ? "trained on this text" : "given")}, {o.VocabSize:N0} ids).").AppendLine();
        md.AppendLine("| domain | documents | tokens | share of tokens |").AppendLine("|---|---:|---:|---:|");
        foreach (var (domain, docs) in o.DocumentsByDomain)
        {
            long tokens = o.TokensByDomain.GetValueOrDefault(domain);
            md.AppendLine(inv, $"| {domain} | {docs:N0} | {tokens:N0} | {(o.Tokens > 0 ? tokens * 100.0 / o.Tokens : 0):0.0}% |");
        }
        md.AppendLine();
        md.AppendLine("By source: " + string.Join(", ", o.DocumentsBySource.Select(e => $"{e.Key} {e.Value:N0}")) + ".");
        md.AppendLine("By language: " + string.Join(", ", o.DocumentsByLanguage.Select(e => $"{e.Key} {e.Value:N0}")) + ".").AppendLine();
        md.AppendLine("| file | documents | tokens | bytes | sha256 |").AppendLine("|---|---:|---:|---:|---|");
        foreach (var f in o.TokenFiles.Concat(o.DocumentFiles))
            md.AppendLine(inv, $"| `{f.Path}` | {f.Documents:N0} | {f.Tokens:N0} | {f.Bytes:N0} | `{f.Sha256[..12]}…` |");
        return md.ToString();
    }

    private static string Escape(string text) => text.Replace("|", "\\|").Replace("`", "'").Replace("\n", " ");
}
