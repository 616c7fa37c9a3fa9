using System.Globalization;
using Llama.Curation.Pipeline;

namespace Llama.Cli.Pipeline.Steps;

/// <summary>Curates the demo corpus into tokenized shards and trains the tokenizer on it (<c>llama curate</c>).</summary>
internal sealed class CurateStep : PipelineStep
{
    public override string Name => "1-curate";
    public override string Title => "curate the demo corpus and train the tokenizer";

    public override async Task<StepRecord> RunAsync(PipelineContext context, CancellationToken cancellation)
    {
        var started = DateTime.UtcNow;
        var corpus = Path.Combine(context.DataFolder, "corpus");
        var inputs = context.Preset.CorpusInputs.Select(input => Path.GetFullPath(Path.Combine(corpus, input))).ToArray();
        var config = new CurationConfig
        {
            TokenizerVocabSize = context.Preset.TokenizerVocabSize,
            // Decontamination against the held-out sets the evaluation step scores on.
            EvaluationFiles = [Path.Combine(context.DataFolder, "heldout")],
        };
        string output = context.StepFolder(this);
        var progress = new Progress<CurationProgress>(p => context.Progress.Report((p.Fraction, p.ToString())));
        var outcome = await CurationRunner.RunAsync(new CurationRequest(inputs, output, config, $"pipeline-{context.Preset.Name}"),
            context.Platform, progress, cancellation);
        var r = outcome.Report;
        var outputs = new Dictionary<string, string> { ["data"] = output };
        if (outcome.DatasetArtifactId is { } dataset) outputs["dataset-artifact"] = dataset.ToString();
        return new StepRecord
        {
            StartedAt = started, FinishedAt = DateTime.UtcNow, Outputs = outputs,
            Scores = new Dictionary<string, double> { ["documents"] = r.Output.Documents, ["tokens"] = r.Output.Tokens },
            Summary = [string.Create(CultureInfo.InvariantCulture,
                $"{r.Ingest.DocumentsIn:N0} raw documents -> {r.Output.Documents:N0} curated ({r.Output.Tokens:N0} tokens); report {Path.Combine(output, "report.md")}")],
        };
    }
}
