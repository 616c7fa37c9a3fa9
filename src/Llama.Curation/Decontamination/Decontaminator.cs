using System.Text.Json;
using Llama.Curation.Documents;
using Llama.Curation.Stages;

namespace Llama.Curation.Decontamination;

/// <summary>
/// Removes training documents that overlap evaluation data (the paper reports contamination analysis in section
/// 5.1.4; removing overlap before training keeps the evals honest). Every n-gram of normalised words of the evaluation
/// texts goes into a set of 64-bit hashes; a training document sharing at least
/// <see cref="DecontaminatorOptions.MinimumMatches"/> of them is dropped with <see cref="OverlapReason"/>, and the
/// detail names the evaluation file. Evaluation texts shorter than n words contribute nothing. Thread-safe: the set
/// is only read after construction.
/// </summary>
public sealed class Decontaminator : IDocumentStage
{
    /// <summary>Drop reason for documents that share n-grams with evaluation data.</summary>
    public const string OverlapReason = "decontamination.ngram_overlap";

    /// <summary>n-gram hash → index into <see cref="_sources"/> of the first evaluation file that has it.</summary>
    private readonly Dictionary<ulong, int> _ngrams = new();
    private readonly List<string> _sources = [];

    /// <summary>Indexes <paramref name="evaluationTexts"/>: (source name for drop details, text).</summary>
    public Decontaminator(IEnumerable<(string Source, string Text)> evaluationTexts, DecontaminatorOptions? options = null)
    {
        Options = options ?? new DecontaminatorOptions();
        if (Options.NgramWords < 1) throw new ArgumentOutOfRangeException(nameof(options), $"NgramWords ({Options.NgramWords}) must be >= 1");
        if (Options.MinimumMatches < 1) throw new ArgumentOutOfRangeException(nameof(options), $"MinimumMatches ({Options.MinimumMatches}) must be >= 1");

        var sourceIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (source, text) in evaluationTexts)
        {
            if (!sourceIndex.TryGetValue(source, out var index))
            {
                sourceIndex[source] = index = _sources.Count;
                _sources.Add(source);
            }
            foreach (var hash in NgramHasher.NgramHashes(NgramHasher.Words(text), Options.NgramWords))
                _ngrams.TryAdd(hash, index);
        }
    }

    /// <summary>
    /// Indexes evaluation files: <c>.jsonl</c> files record by record (see <see cref="DecontaminatorOptions.JsonFields"/>),
    /// every other file as plain text. A folder stands for all files below it.
    /// </summary>
    public static Decontaminator FromPaths(IEnumerable<string> paths, DecontaminatorOptions? options = null)
    {
        options ??= new DecontaminatorOptions();
        var files = paths.SelectMany(FilesAt).ToArray();
        return new Decontaminator(files.SelectMany(file => ReadEvaluationTexts(file, options.JsonFields)), options);
    }

    public DecontaminatorOptions Options { get; }

    private static IEnumerable<string> FilesAt(string path)
    {
        if (Directory.Exists(path)) return Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal);
        if (File.Exists(path)) return [path];
        throw new FileNotFoundException($"evaluation data not found: {path}", path);
    }

    public string Name => "decontamination";

    /// <summary>Distinct evaluation n-grams indexed.</summary>
    public int NgramCount => _ngrams.Count;

    public StageVerdict Process(CurationDocument document)
    {
        var words = NgramHasher.Words(document.Text);
        var hashes = NgramHasher.NgramHashes(words, Options.NgramWords);
        var matches = 0;
        var first = -1;
        var firstSource = -1;
        for (var i = 0; i < hashes.Length; i++)
        {
            if (!_ngrams.TryGetValue(hashes[i], out var source)) continue;
            if (matches++ == 0) (first, firstSource) = (i, source);
        }

        if (matches < Options.MinimumMatches) return StageVerdict.Kept(document);
        var quote = string.Join(' ', words.Skip(first).Take(Options.NgramWords));
        return StageVerdict.Dropped(OverlapReason,
            $"{matches} {Options.NgramWords}-gram(s) shared with {_sources[firstSource]}, first: \"{quote}\"");
    }

    private static IEnumerable<(string Source, string Text)> ReadEvaluationTexts(string file, IReadOnlyList<string>? jsonFields)
    {
        if (!file.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase))
        {
            yield return (file, File.ReadAllText(file));
            yield break;
        }

        var lineNumber = 0;
        foreach (var line in File.ReadLines(file))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            JsonDocument json;
            try
            {
                json = JsonDocument.Parse(line);
            }
            catch (JsonException e)
            {
                throw new FormatException($"{file}:{lineNumber}: not a JSON object: {e.Message}", e);
            }
            using (json)
            {
                var values = jsonFields is null
                    ? StringValues(json.RootElement)
                    : jsonFields.SelectMany(field => json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty(field, out var value)
                        ? StringValues(value)
                        : []);
                foreach (var text in values.ToArray()) yield return (file, text);
            }
        }
    }

    /// <summary>Every string inside <paramref name="element"/> (objects and arrays searched recursively).</summary>
    private static IEnumerable<string> StringValues(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => [element.GetString()!],
        JsonValueKind.Array => element.EnumerateArray().SelectMany(StringValues),
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => StringValues(p.Value)),
        _ => [],
    };
}
