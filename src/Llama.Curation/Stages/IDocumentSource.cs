using Llama.Curation.Documents;

namespace Llama.Curation.Stages;

/// <summary>A document that could not be read, and why (counted in the report, never a crash).</summary>
public sealed record SkippedInput(string Path, string Source, string Reason, string? Detail);

/// <summary>Where documents come from: files and folders of text, HTML, JSONL and Parquet.</summary>
public interface IDocumentSource
{
    /// <summary>Streams the documents; problems are reported through <paramref name="onSkip"/> and reading goes on.</summary>
    IEnumerable<CurationDocument> Read(Action<SkippedInput> onSkip, CancellationToken cancellation);
}

/// <summary>A stage that has more to say in the report than counts (e.g. the mixer's achieved proportions).</summary>
public interface IStageSummary
{
    object? Summary { get; }
}
