using System.Text.RegularExpressions;

namespace Llama.Evaluation.Tasks.Sources;

/// <summary>
/// Multiple-choice items cut from held-out prose (a plain-text book, one paragraph per line): <c>prose-cloze</c>
/// asks for a sentence's last word (LAMBADA's idea, as a choice among words that end other sentences),
/// <c>prose-next-sentence</c> for the sentence that follows (HellaSwag's idea, the other choices being other
/// sentences of the same book). Sentences are picked at random (seeded); the few-shot pool is a disjoint sample.
/// </summary>
internal static partial class ProseSource
{
    public static TaskDocuments Load(string path, TaskSource source)
    {
        var paragraphs = Paragraphs(path);
        var random = new Random(source.Seed);
        return source.Kind == "prose-cloze" ? Cloze(paragraphs, source, random) : NextSentence(paragraphs, source, random);
    }

    private static TaskDocuments Cloze(List<List<string>> paragraphs, TaskSource source, Random random)
    {
        var candidates = paragraphs.SelectMany(p => p)
            .Select(s => LastWord().Match(s))
            .Where(m => m.Success && m.Groups["context"].Value.Split(' ').Length >= 8)
            .Select(m => (Context: m.Groups["context"].Value.TrimEnd(), Word: m.Groups["word"].Value))
            .ToList();
        var words = candidates.Select(c => c.Word).Distinct(StringComparer.Ordinal).ToList();
        var picked = Shuffle(candidates, random).Take(source.Count + Math.Max(8, source.Count / 10)).ToList();
        var items = picked.Select((c, i) =>
        {
            var choices = Shuffle(words.Where(w => w != c.Word).ToList(), random).Take(source.Choices - 1).ToList();
            int gold = random.Next(source.Choices);
            choices.Insert(gold, c.Word);
            return new EvalDocument($"cloze:{i:0000}", new Dictionary<string, object>
            {
                ["context"] = c.Context, ["choices"] = choices, ["answer"] = (long)gold,
            });
        }).ToList();
        return Split(items, source.Count);
    }

    private static TaskDocuments NextSentence(List<List<string>> paragraphs, TaskSource source, Random random)
    {
        var pairs = paragraphs.SelectMany(p => p.Zip(p.Skip(1)))
            .Where(p => WordCount(p.First) >= 6 && WordCount(p.Second) is >= 6 and <= 40)
            .ToList();
        var sentences = pairs.Select(p => p.Second).Distinct(StringComparer.Ordinal).ToList();
        var picked = Shuffle(pairs, random).Take(source.Count + Math.Max(8, source.Count / 10)).ToList();
        var items = picked.Select((p, i) =>
        {
            var choices = Shuffle(sentences.Where(s => s != p.Second).ToList(), random).Take(source.Choices - 1).ToList();
            int gold = random.Next(source.Choices);
            choices.Insert(gold, p.Second);
            return new EvalDocument($"next-sentence:{i:0000}", new Dictionary<string, object>
            {
                ["context"] = p.First, ["choices"] = choices, ["answer"] = (long)gold,
            });
        }).ToList();
        return Split(items, source.Count);
    }

    /// <summary>Paragraphs of the book (one per non-empty line, chapter headings dropped), each split into sentences.</summary>
    internal static List<List<string>> Paragraphs(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: prose not found", path);
        return File.ReadLines(path)
            .Select(l => l.Trim())
            .Where(l => WordCount(l) >= 6)
            .Select(l => SentenceEnd().Split(l).Select(s => s.Trim()).Where(s => s.Length > 0).ToList())
            .ToList();
    }

    private static TaskDocuments Split(List<EvalDocument> items, int count) =>
        new(items.Take(Math.Min(count, items.Count)).ToList(), items.Skip(Math.Min(count, items.Count)).ToList());

    private static int WordCount(string s) => s.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;

    private static List<T> Shuffle<T>(List<T> items, Random random)
    {
        var copy = items.ToList();
        for (int i = copy.Count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (copy[i], copy[j]) = (copy[j], copy[i]);
        }
        return copy;
    }

    // A sentence ends at . ! or ? (optionally closing a quotation) followed by a space and a capital or a quote.
    [GeneratedRegex(@"(?<=[.!?][""']?)\s+(?=[""']?[A-Z])")]
    private static partial Regex SentenceEnd();

    // The last word of a sentence that ends in a full stop: letters only, at least three.
    [GeneratedRegex(@"^(?<context>.*\S)\s+(?<word>[A-Za-z]{3,})\.$")]
    private static partial Regex LastWord();
}
