namespace Llama.Pretraining.Data;

/// <summary>Training documents and the held-out validation documents, which are never trained on.</summary>
public sealed record TokenDataSplit(IReadOnlyList<TokenDocument> Training, IReadOnlyList<TokenDocument> Validation)
{
    /// <summary>
    /// A document is held out when the hash of its id falls below <see cref="ValidationSplitOptions.Fraction"/>:
    /// the decision depends on the id alone, so it is the same on every run and does not move when shards are
    /// added. When that holds out fewer than <see cref="ValidationSplitOptions.MinimumDocuments"/>, the documents
    /// with the next smallest hashes make up the difference.
    /// </summary>
    public static TokenDataSplit ByDocumentIdHash(IReadOnlyList<TokenDocument> documents, ValidationSplitOptions options)
    {
        if (!(options.Fraction >= 0 && options.Fraction < 1))
            throw new ArgumentOutOfRangeException(nameof(options), options.Fraction, "the validation fraction must be in [0, 1)");
        ArgumentOutOfRangeException.ThrowIfNegative(options.MinimumDocuments);
        if (documents.Count <= options.MinimumDocuments)
            throw new ArgumentException(
                $"{documents.Count} document(s) cannot hold out {options.MinimumDocuments} for validation and still train on one", nameof(documents));

        var unit = documents.Select(d => StableHash.ToUnitInterval(StableHash.Of(d.Id))).ToArray();
        var heldOut = new bool[documents.Count];
        int count = 0;
        for (int i = 0; i < documents.Count; i++)
            if (unit[i] < options.Fraction) { heldOut[i] = true; count++; }

        if (count < options.MinimumDocuments)
        {
            var next = Enumerable.Range(0, documents.Count).Where(i => !heldOut[i])
                .OrderBy(i => unit[i]).ThenBy(i => documents[i].Id, StringComparer.Ordinal).ThenBy(i => i);
            foreach (int i in next.Take(options.MinimumDocuments - count)) heldOut[i] = true;
        }
        if (heldOut.All(h => h))
            throw new ArgumentException($"the validation fraction {options.Fraction} holds out all {documents.Count} documents", nameof(options));

        var training = new List<TokenDocument>();
        var validation = new List<TokenDocument>();
        for (int i = 0; i < documents.Count; i++) (heldOut[i] ? validation : training).Add(documents[i]);
        return new TokenDataSplit(training, validation);
    }
}
