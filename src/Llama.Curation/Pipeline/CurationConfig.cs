using System.Text.Json;
using System.Text.Json.Serialization;
using Llama.Curation.Decontamination;
using Llama.Curation.Dedup;
using Llama.Curation.Domains;
using Llama.Curation.Filters;
using Llama.Curation.Ingest;
using Llama.Curation.Language;
using Llama.Curation.Pii;
using Llama.Curation.Quality;

namespace Llama.Curation.Pipeline;

/// <summary>
/// Everything a curation run can be told, as one JSON file (<c>llama curate --config FILE</c>): layout and
/// effort, which stages to leave out, and each stage's options (their defaults are the published thresholds).
/// Property names are camelCase; any option left out keeps its default.
/// </summary>
public sealed record CurationConfig
{
    public int DocumentsPerShard { get; init; } = 500;
    public int? Parallelism { get; init; }
    /// <summary>A tokenizer folder or tokenizer.model; null trains one on the curated text.</summary>
    public string? Tokenizer { get; init; }
    public int TokenizerVocabSize { get; init; } = 8192;
    public bool KeepWork { get; init; }

    /// <summary>Stage names to leave out (see <see cref="CurationStageFactory.StageNames"/>).</summary>
    public IReadOnlyList<string> Skip { get; init; } = [];

    /// <summary>Held-out evaluation files or folders whose 13-grams no training document may share.</summary>
    public IReadOnlyList<string> EvaluationFiles { get; init; } = ["data/heldout"];

    /// <summary>A trained quality model (ML.NET zip) to score with; null trains one on the corpus itself.</summary>
    public string? QualityModel { get; init; }

    public DocumentReaderOptions Ingest { get; init; } = new();
    public UrlDedupOptions UrlDedup { get; init; } = new();
    public ExactDedupOptions ExactDedup { get; init; } = new();
    public MinHashOptions MinHash { get; init; } = new();
    public LineDedupOptions LineDedup { get; init; } = new();
    public LanguageIdentifierOptions Language { get; init; } = new();
    public GopherQualityOptions GopherQuality { get; init; } = new();
    public GopherRepetitionOptions GopherRepetition { get; init; } = new();
    public C4FilterOptions C4 { get; init; } = new();
    public FineWebFilterOptions FineWeb { get; init; } = new();
    public DirtyWordFilterOptions DirtyWords { get; init; } = new();
    public TokenDistributionFilterOptions TokenKl { get; init; } = new();
    public PiiRedactorOptions Pii { get; init; } = new();
    public DomainClassifierOptions Domains { get; init; } = new();
    public CorpusTrainedQualityOptions Quality { get; init; } = new();
    public DecontaminatorOptions Decontamination { get; init; } = new();
    public DomainMixerOptions Mix { get; init; } = new();

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // Enum values by name ("Email"), as a person writes them in a config file.
        Converters = { new JsonStringEnumConverter() },
    };

    public static CurationConfig Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: config file not found");
        return Parse(File.ReadAllText(path), path);
    }

    public static CurationConfig Parse(string json, string source = "config")
    {
        CurationConfig? config;
        try
        {
            config = JsonSerializer.Deserialize<CurationConfig>(json, Json);
        }
        catch (JsonException e)
        {
            string where = string.IsNullOrEmpty(e.Path) ? "" : $" at {e.Path.TrimStart('$', '.')}";
            throw new ArgumentException($"{source}: invalid curation config{where}: {e.Message}", e);
        }
        if (config is null) throw new ArgumentException($"{source}: the curation config is empty");
        config.Validate(source);
        return config;
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public void Validate(string source = "config")
    {
        var unknown = Skip.Where(s => !CurationStageFactory.StageNames.Contains(s)).ToList();
        if (unknown.Count > 0)
            throw new ArgumentException($"{source}: skip names unknown stage(s) {string.Join(", ", unknown)}; stages are {string.Join(", ", CurationStageFactory.StageNames)}");
        if (DocumentsPerShard <= 0) throw new ArgumentException($"{source}: documentsPerShard ({DocumentsPerShard}) must be positive");
        if (Parallelism is <= 0) throw new ArgumentException($"{source}: parallelism ({Parallelism}) must be positive");
    }
}
