namespace Llama.Curation.Language;

/// <summary>One language's share of correct answers in an <see cref="AccuracyReport"/>.</summary>
public sealed record LanguageAccuracy(string Language, int Total, int Correct)
{
    public double Accuracy => Total == 0 ? 0 : (double)Correct / Total;
}

/// <summary>How often texts of <see cref="Expected"/> were labelled <see cref="Predicted"/> instead.</summary>
public sealed record LanguageConfusion(string Expected, string Predicted, int Count);

/// <summary>
/// Accuracy of a <see cref="LanguageIdentifier"/> on labelled texts: overall, per expected language, and the list of
/// confusions (most frequent first), plus the throughput it reached.
/// </summary>
public sealed record AccuracyReport(
    int Total,
    int Correct,
    IReadOnlyList<LanguageAccuracy> PerLanguage,
    IReadOnlyList<LanguageConfusion> Confusions,
    long Utf8Bytes,
    TimeSpan Elapsed)
{
    public double Accuracy => Total == 0 ? 0 : (double)Correct / Total;

    /// <summary>Megabytes (10^6 bytes of UTF-8) of text classified per second, on the calling thread.</summary>
    public double MegabytesPerSecond => Elapsed.TotalSeconds <= 0 ? 0 : Utf8Bytes / 1e6 / Elapsed.TotalSeconds;

    /// <summary>Classifies every text with <paramref name="identifier"/> and compares against its label.</summary>
    public static AccuracyReport Measure(LanguageIdentifier identifier, IEnumerable<(string Language, string Text)> labelled)
    {
        var perLanguage = new SortedDictionary<string, (int Total, int Correct)>(StringComparer.Ordinal);
        var confusions = new Dictionary<(string, string), int>();
        long bytes = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        foreach (var (expected, text) in labelled)
        {
            var predicted = identifier.Identify(text).Language;
            bytes += System.Text.Encoding.UTF8.GetByteCount(text);
            var (total, correct) = perLanguage.GetValueOrDefault(expected);
            var hit = string.Equals(predicted, expected, StringComparison.OrdinalIgnoreCase);
            perLanguage[expected] = (total + 1, correct + (hit ? 1 : 0));
            if (!hit) confusions[(expected, predicted)] = confusions.GetValueOrDefault((expected, predicted)) + 1;
        }
        clock.Stop();

        return new AccuracyReport(
            perLanguage.Values.Sum(v => v.Total),
            perLanguage.Values.Sum(v => v.Correct),
            perLanguage.Select(kv => new LanguageAccuracy(kv.Key, kv.Value.Total, kv.Value.Correct)).ToArray(),
            confusions.Select(kv => new LanguageConfusion(kv.Key.Item1, kv.Key.Item2, kv.Value))
                .OrderByDescending(c => c.Count).ThenBy(c => c.Expected, StringComparer.Ordinal).ToArray(),
            bytes,
            clock.Elapsed);
    }

    /// <summary>A few lines for logs and test output.</summary>
    public override string ToString() =>
        $"accuracy {Accuracy:P2} ({Correct}/{Total}), {MegabytesPerSecond:F3} MB/s; " +
        $"worst: {string.Join(", ", PerLanguage.OrderBy(l => l.Accuracy).Take(3).Select(l => $"{l.Language} {l.Accuracy:P0}"))}; " +
        $"confusions: {(Confusions.Count == 0 ? "none" : string.Join(", ", Confusions.Select(c => $"{c.Expected}->{c.Predicted} x{c.Count}")))}";
}
