namespace Llama.Curation.Pipeline;

/// <summary>How a curation run is laid out on disk and how hard it works.</summary>
public sealed record CurationRunOptions
{
    /// <summary>Output folder: <c>documents/</c>, <c>tokens/</c>, <c>tokenizer/</c>, <c>report.json</c>, <c>report.md</c>, and <c>work/</c> for the steps.</summary>
    public required string Output { get; init; }

    /// <summary>Documents per working shard: the unit of parallel work and of resumption.</summary>
    public int DocumentsPerShard { get; init; } = 500;

    public int Parallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>A tokenizer folder or tokenizer.model; when absent one is trained on the curated text.</summary>
    public string? Tokenizer { get; init; }

    /// <summary>Base vocabulary of a tokenizer trained here (256 Llama 3 special tokens come on top).</summary>
    public int TokenizerVocabSize { get; init; } = 8192;

    /// <summary>Keep the working shards after a successful run (for inspection); by default they are deleted.</summary>
    public bool KeepWork { get; init; }

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Output)) throw new ArgumentException("the output folder is required");
        if (DocumentsPerShard <= 0) throw new ArgumentException($"documents per shard ({DocumentsPerShard}) must be positive");
        if (Parallelism <= 0) throw new ArgumentException($"parallelism ({Parallelism}) must be positive");
        if (TokenizerVocabSize < 256) throw new ArgumentException($"tokenizer vocabulary ({TokenizerVocabSize}) must be at least 256 (the byte alphabet)");
    }
}
