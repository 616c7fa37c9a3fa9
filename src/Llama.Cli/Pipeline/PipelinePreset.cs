namespace Llama.Cli.Pipeline;

/// <summary>
/// How big a pipeline run is. <c>smoke</c> checks the whole chain in about a minute on 2 cores (a slice of the corpus,
/// the smoke model, a handful of steps per stage); <c>tiny</c> is the README's run (the whole demo corpus, the tiny
/// model, about 15 minutes). Each field maps onto a stage's own preset or config.
/// </summary>
/// <param name="CorpusInputs">Inputs under the data folder's <c>corpus/</c> to curate.</param>
/// <param name="TokenizerVocabSize">BPE ranks the curation stage trains (specials come on top).</param>
/// <param name="PretrainPreset">A <c>llama pretrain --preset</c> name.</param>
/// <param name="PretrainSteps">Steps to pretrain, or null for the preset's own.</param>
public sealed record PipelinePreset(string Name, IReadOnlyList<string> CorpusInputs, int TokenizerVocabSize, string PretrainPreset, long? PretrainSteps)
{
    public static readonly IReadOnlyDictionary<string, PipelinePreset> All = new Dictionary<string, PipelinePreset>
    {
        ["smoke"] = new("smoke", ["austen/pride-and-prejudice"], 1024, "smoke", null),
        ["tiny"] = new("tiny", ["."], 8192, "tiny", null),
    };

    /// <exception cref="ArgumentException">Unknown name (the message lists the known ones).</exception>
    public static PipelinePreset Get(string name) => All.TryGetValue(name, out var preset)
        ? preset
        : throw new ArgumentException($"unknown pipeline preset '{name}'; known presets: {string.Join(", ", All.Keys)}");
}
