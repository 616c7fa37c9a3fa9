using System.Text.RegularExpressions;
using Llama.Core.Generation;
using Llama.Core.Model;
using Llama.Core.Tokenization;
using Llama.Pretraining.Data;

namespace Llama.Pretraining.Training;

/// <summary>A prompt taken from a held-out document and what the model wrote after it.</summary>
public sealed record TextSample(string Document, string Prompt, string Continuation);

/// <summary>
/// What the final model writes: a few seeded samples from the openings of held-out documents, and the share of
/// the words it writes that occur in the training text (<see cref="KnownWordRate"/>): a loss number says how
/// well a model predicts, these say whether what it generates reads like the language it was trained on.
/// </summary>
public static partial class TextSamples
{
    /// <summary>Tokens of a held-out document's opening given as the prompt (after &lt;|begin_of_text|&gt;).</summary>
    public const int PromptTokens = 8;

    /// <summary>New tokens per sample.</summary>
    public const int NewTokens = 48;

    /// <summary>
    /// <paramref name="count"/> samples (temperature 0.7, top-p 0.9, seeded) from the first held-out documents of
    /// <paramref name="domain"/> (all domains when it has none) that are long enough to give a prompt.
    /// </summary>
    public static IReadOnlyList<TextSample> Generate(LlamaModel model, Llama3Tokenizer tokenizer, IReadOnlyList<TokenDocument> heldOut,
        long seed, int count = 3, string domain = "general")
    {
        var candidates = heldOut.Where(d => d.Domain == domain && d.Length > PromptTokens + 2).ToList();
        if (candidates.Count == 0) candidates = heldOut.Where(d => d.Length > PromptTokens + 2).ToList();
        var generator = new LlamaGenerator(model);
        var samples = new List<TextSample>();
        foreach (var (document, i) in candidates.Take(count).Select((d, i) => (d, i)))
        {
            var prompt = document.Tokens.Take(PromptTokens + 1).ToArray(); // <|begin_of_text|> and the opening
            var options = new SamplingOptions
            {
                Temperature = 0.7, TopP = 0.9, Seed = seed + i, MaxNewTokens = NewTokens, StopTokenIds = [tokenizer.EosId, tokenizer.EotId],
            };
            var written = generator.Generate(prompt, options).Select(t => t.Id)
                .Where(id => id != tokenizer.EosId && id != tokenizer.EotId).ToArray();
            samples.Add(new TextSample(document.Id, tokenizer.Decode(prompt.Skip(1)), tokenizer.Decode(written)));
        }
        return samples;
    }

    /// <summary>The report's samples from <paramref name="split"/>'s held-out documents and their known-word rate against its training text.</summary>
    public static (IReadOnlyList<TextSample> Samples, double KnownWordRate) ForReport(LlamaModel model, Llama3Tokenizer tokenizer, TokenDataSplit split, long seed)
    {
        var samples = Generate(model, tokenizer, split.Validation, seed);
        return (samples, KnownWordRate(samples, split.Training.Select(d => tokenizer.Decode(d.Tokens))));
    }

    /// <summary>
    /// The share of the words (runs of letters, lowercased) in <paramref name="samples"/>' continuations that occur
    /// in <paramref name="trainingText"/>; NaN when the samples hold no word. Byte-level noise or word fragments
    /// glued together score low; a model that learned words scores near 1.
    /// </summary>
    public static double KnownWordRate(IEnumerable<TextSample> samples, IEnumerable<string> trainingText)
    {
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var text in trainingText) foreach (var word in Words(text)) known.Add(word);
        var written = samples.SelectMany(s => Words(s.Continuation)).ToList();
        return written.Count == 0 ? double.NaN : written.Count(known.Contains) / (double)written.Count;
    }

    private static IEnumerable<string> Words(string text) => WordPattern().Matches(text).Select(m => m.Value.ToLowerInvariant());

    [GeneratedRegex(@"\p{L}+")]
    private static partial Regex WordPattern();
}
