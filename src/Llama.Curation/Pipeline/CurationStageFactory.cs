using Llama.Curation.Decontamination;
using Llama.Curation.Dedup;
using Llama.Curation.Domains;
using Llama.Curation.Filters;
using Llama.Curation.Language;
using Llama.Curation.Pii;
using Llama.Curation.Quality;
using Llama.Curation.Stages;

namespace Llama.Curation.Pipeline;

/// <summary>
/// The stages of a run, in the order of the Llama 3 paper (section 3.1.1): de-duplication (URL, document, near-
/// duplicate, line), then language identification (the heuristics are language-aware), heuristic filtering, the
/// token-distribution outlier filter, PII redaction, domain classification, the model-based quality filter (its model
/// trained right after de-duplication, when no model is given),
/// decontamination against the evaluation sets, and last the mix.
/// </summary>
public static class CurationStageFactory
{
    public static readonly IReadOnlyList<string> StageNames =
    [
        "url-dedup", "exact-dedup", "minhash", "line-dedup", "quality-training", "language-id", "gopher-quality", "gopher-repetition", "c4",
        "fineweb", "dirty-words", "token-kl", "pii", "domain-classifier", "quality-classifier", "decontamination", "domain-mixer",
    ];

    /// <param name="dataDirectory">Where relative paths of the default config (data/heldout, data/filters) are resolved.</param>
    public static IReadOnlyList<ICurationStage> Create(CurationConfig config, string dataDirectory)
    {
        var skip = config.Skip.ToHashSet(StringComparer.Ordinal);
        var stages = new List<ICurationStage>();
        void Add(string name, Func<ICurationStage> make)
        {
            if (skip.Contains(name)) return;
            var stage = make();
            if (stage.Name != name) throw new InvalidOperationException($"stage '{name}' reports the name '{stage.Name}'");
            stages.Add(stage);
        }
        string Resolve(string path) => Path.IsPathRooted(path) || File.Exists(path) || Directory.Exists(path)
            ? path
            : Path.Combine(dataDirectory, path.StartsWith("data/", StringComparison.Ordinal) ? path["data/".Length..] : path);

        Add("url-dedup", () => new UrlDeduplicator(config.UrlDedup));
        Add("exact-dedup", () => new ExactDeduplicator(config.ExactDedup));
        Add("minhash", () => new MinHashDeduplicator(config.MinHash));
        Add("line-dedup", () => new LineDeduplicator(config.LineDedup));
        // The quality model learns from the corpus before the heuristic filters remove its bad examples (unless a model is given).
        var training = config.QualityModel is null && !skip.Contains("quality-classifier") ? new QualityModelTraining(config.Quality) : null;
        if (training is not null) Add("quality-training", () => training);
        Add("language-id", () => new LanguageIdentifier(config.Language));
        Add("gopher-quality", () => new GopherQualityFilter(config.GopherQuality));
        Add("gopher-repetition", () => new GopherRepetitionFilter(config.GopherRepetition));
        Add("c4", () => new C4Filter(config.C4));
        Add("fineweb", () => new FineWebFilter(config.FineWeb));
        Add("dirty-words", () => new DirtyWordFilter(config.DirtyWords with { ListsDirectory = Resolve(config.DirtyWords.ListsDirectory) }));
        Add("token-kl", () => new TokenDistributionFilter(config.TokenKl));
        Add("pii", () => new PiiRedactor(config.Pii));
        Add("domain-classifier", () => new DomainClassifier(config.Domains));
        Add("quality-classifier", () => config.QualityModel is { } model
            ? new QualityFilter(QualityClassifier.Load(model), config.Quality.Filter)
            : new TrainedQualityFilter(training!));
        Add("decontamination", () => Decontaminator.FromPaths(config.EvaluationFiles.Select(Resolve).Where(p => File.Exists(p) || Directory.Exists(p)), config.Decontamination));
        Add("domain-mixer", () => new DomainMixer(config.Mix));
        return stages;
    }

    /// <summary>The repository's <c>data/</c> folder: under the working directory, else above the executable.</summary>
    public static string FindDataDirectory()
    {
        if (Directory.Exists("data")) return Path.GetFullPath("data");
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "data", "MANIFEST.json"))) return Path.Combine(dir.FullName, "data");
        return Path.GetFullPath("data");
    }
}
