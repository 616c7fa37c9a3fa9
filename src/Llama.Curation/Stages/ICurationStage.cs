using Llama.Curation.Documents;

namespace Llama.Curation.Stages;

/// <summary>A named step of the curation pipeline, in the order of the Llama 3 paper (section 3.1.1).</summary>
public interface ICurationStage
{
    /// <summary>Stable name used in reports and configuration (<c>minhash</c>, <c>gopher-quality</c>).</summary>
    string Name { get; }
}

/// <summary>
/// A stage that decides each document on its own (filters, redaction, classifiers). <see cref="Process"/> must be
/// thread-safe: the pipeline calls it from several threads at once.
/// </summary>
public interface IDocumentStage : ICurationStage
{
    StageVerdict Process(CurationDocument document);
}

/// <summary>
/// A stage that needs the whole corpus before it can decide (deduplication, corpus statistics). The pipeline calls
/// <see cref="Observe"/> for every document (from several threads: it must be thread-safe), then
/// <see cref="Seal"/> once, then <see cref="Process"/> for every document (thread-safe too). State kept between the
/// passes should be small per document (hashes, signatures), never the texts, so memory stays bounded.
/// </summary>
public interface ICorpusStage : ICurationStage
{
    void Observe(CurationDocument document);

    void Seal();

    StageVerdict Process(CurationDocument document);
}
