using Llama.Curation.Documents;

namespace Llama.Curation.Stages;

/// <summary>What a stage decided about one document: keep it (possibly changed) or drop it, saying why.</summary>
public abstract record StageVerdict
{
    private StageVerdict() { }

    /// <summary>Keep <see cref="Document"/>, which may differ from the input (redacted, annotated, lines removed).</summary>
    public sealed record Keep(CurationDocument Document) : StageVerdict;

    /// <summary>
    /// Drop the document. <see cref="Reason"/> is a short stable key that the run report counts
    /// (<c>gopher.mean_word_length</c>, <c>minhash.near_duplicate</c>); <see cref="Detail"/> is for people.
    /// </summary>
    public sealed record Drop(string Reason, string? Detail = null) : StageVerdict;

    public static StageVerdict Kept(CurationDocument document) => new Keep(document);
    public static StageVerdict Dropped(string reason, string? detail = null) => new Drop(reason, detail);
}
