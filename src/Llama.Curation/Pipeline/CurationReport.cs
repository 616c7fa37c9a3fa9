namespace Llama.Curation.Pipeline;

/// <summary>Everything a curation run did, written as report.json and rendered as report.md.</summary>
public sealed record CurationReport
{
    public required DateTime StartedAt { get; init; }
    public required double Seconds { get; init; }
    public required IReadOnlyList<string> Inputs { get; init; }
    public required StageReport Ingest { get; init; }
    public required IReadOnlyList<StageReport> Stages { get; init; }
    public IReadOnlyDictionary<string, object?> Summaries { get; init; } = new Dictionary<string, object?>();
    public required OutputSummary Output { get; init; }
    public long PeakMemoryBytes { get; init; }
}

/// <summary>What was written: documents, tokens, by domain, source and language, and the files.</summary>
public sealed record OutputSummary(
    long Documents, long Tokens, long Bytes,
    IReadOnlyDictionary<string, long> DocumentsByDomain, IReadOnlyDictionary<string, long> TokensByDomain,
    IReadOnlyDictionary<string, long> DocumentsBySource, IReadOnlyDictionary<string, long> DocumentsByLanguage,
    string TokenizerPath, bool TokenizerTrained, int VocabSize,
    IReadOnlyList<OutputFile> TokenFiles, IReadOnlyList<OutputFile> DocumentFiles);

public sealed record OutputFile(string Path, long Documents, long Tokens, long Bytes, string Sha256);
