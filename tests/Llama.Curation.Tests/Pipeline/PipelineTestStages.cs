using System.Collections.Concurrent;
using Llama.Curation.Documents;
using Llama.Curation.Stages;

namespace Llama.Curation.Tests.Pipeline;

/// <summary>Small, transparent stages that let the pipeline tests see exactly what the engine does with them.</summary>
internal sealed class ListSource(IReadOnlyList<CurationDocument> documents, IReadOnlyList<SkippedInput>? skips = null) : IDocumentSource
{
    public IEnumerable<CurationDocument> Read(Action<SkippedInput> onSkip, CancellationToken cancellation)
    {
        foreach (var skip in skips ?? []) onSkip(skip);
        return documents;
    }
}

/// <summary>Drops documents with fewer than <c>minWords</c> words; counts its calls per document id.</summary>
internal sealed class MinimumWordsStage(int minWords, string? failOnceOn = null) : IDocumentStage
{
    public ConcurrentDictionary<string, int> Calls { get; } = new();
    private int _failed;

    public string Name => "min-words";

    public StageVerdict Process(CurationDocument document)
    {
        Calls.AddOrUpdate(document.Id, 1, (_, n) => n + 1);
        if (document.Id == failOnceOn && Interlocked.Exchange(ref _failed, 1) == 0)
            throw new IOException("simulated crash");
        int words = document.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        return words >= minWords ? StageVerdict.Kept(document) : StageVerdict.Dropped("min_words.too_short", $"{words} words");
    }
}

/// <summary>Upper-cases the text: a stage that modifies what it keeps.</summary>
internal sealed class ShoutStage : IDocumentStage
{
    public string Name => "shout";
    public StageVerdict Process(CurationDocument document) => StageVerdict.Kept(document with { Text = document.Text.ToUpperInvariant(), Domain = "general", Language = "en" });
}

/// <summary>Keeps the first (smallest id) of documents with equal text: a whole-corpus stage.</summary>
internal sealed class SameTextStage : ICorpusStage
{
    private readonly ConcurrentDictionary<string, string> _first = new();

    public string Name => "same-text";

    public void Observe(CurationDocument document) =>
        _first.AddOrUpdate(document.Text, document.Id, (_, id) => string.CompareOrdinal(document.Id, id) < 0 ? document.Id : id);

    public void Seal() { }

    public StageVerdict Process(CurationDocument document) =>
        _first[document.Text] == document.Id ? StageVerdict.Kept(document) : StageVerdict.Dropped("same_text.duplicate", $"kept {_first[document.Text]}");
}
