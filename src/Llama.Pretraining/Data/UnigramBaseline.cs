namespace Llama.Pretraining.Data;

/// <summary>
/// The cross-entropy of a unigram model (token frequencies, ignoring context): the loss a language model must beat
/// to show it learned anything beyond which tokens are common. Fitted on the training documents, evaluated on the
/// validation documents, in nats per token like the training loss.
/// </summary>
/// <remarks>
/// It counts and scores the same tokens the packed batches predict: every token of a document but its first
/// (&lt;|begin_of_text|&gt; is never a target, see <see cref="SequencePacker"/>). Add-k smoothing over the whole
/// vocabulary gives tokens unseen in training a finite loss.
/// </remarks>
public sealed class UnigramBaseline
{
    private readonly long[] _counts;

    private UnigramBaseline(long[] counts, long total, double smoothing)
    {
        _counts = counts;
        TrainingTokens = total;
        Smoothing = smoothing;
    }

    /// <summary>Vocabulary size the probabilities are spread over.</summary>
    public int VocabSize => _counts.Length;

    /// <summary>Predicted tokens counted in training.</summary>
    public long TrainingTokens { get; }

    /// <summary>The k of add-k smoothing.</summary>
    public double Smoothing { get; }

    /// <summary>Counts the predicted tokens of <paramref name="trainingDocuments"/> with add-<paramref name="smoothing"/> smoothing (default add-one).</summary>
    public static UnigramBaseline Fit(IEnumerable<TokenDocument> trainingDocuments, int vocabSize, double smoothing = 1.0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vocabSize);
        if (!(smoothing > 0) || !double.IsFinite(smoothing))
            throw new ArgumentOutOfRangeException(nameof(smoothing), smoothing, "smoothing must be positive, or unseen tokens would cost infinite loss");
        var counts = new long[vocabSize];
        long total = 0;
        foreach (var document in trainingDocuments)
        {
            foreach (int token in PredictedTokens(document))
            {
                if ((uint)token >= (uint)vocabSize)
                    throw new ArgumentException($"{document.Location}: token id {token} is outside the vocabulary of {vocabSize} ids", nameof(trainingDocuments));
                counts[token]++;
                total++;
            }
        }
        return new UnigramBaseline(counts, total, smoothing);
    }

    /// <summary>The smoothed probability of <paramref name="token"/>: (count + k) / (total + k·V).</summary>
    public double Probability(int token) =>
        (_counts[token] + Smoothing) / (TrainingTokens + Smoothing * VocabSize);

    /// <summary>Mean negative log-probability (nats per token) of the predicted tokens of <paramref name="documents"/>.</summary>
    public double CrossEntropy(IEnumerable<TokenDocument> documents)
    {
        double sum = 0;
        long n = 0;
        foreach (var document in documents)
        {
            foreach (int token in PredictedTokens(document))
            {
                if ((uint)token >= (uint)VocabSize)
                    throw new ArgumentException($"{document.Location}: token id {token} is outside the vocabulary of {VocabSize} ids", nameof(documents));
                sum -= Math.Log(Probability(token));
                n++;
            }
        }
        if (n == 0) throw new ArgumentException("no tokens to evaluate: each document needs at least two", nameof(documents));
        return sum / n;
    }

    private static ArraySegment<int> PredictedTokens(TokenDocument document)
    {
        var tokens = document.Tokens; // once: a shard document reads them through its cache
        return tokens.Length < 2 ? ArraySegment<int>.Empty : new(tokens, 1, tokens.Length - 1);
    }
}
