using Llama.Core.Training;
using System.Text.Json;
using Llama.Core;
using Llama.Core.Config;
using Llama.Core.Model;
using Llama.Core.Tokenization;
using Llama.Pretraining.Checkpointing;
using Llama.Pretraining.Data;
using Llama.Pretraining.Optimization;
using Llama.Platform;
using Llama.Platform.Artifacts;
using Llama.Platform.Metadata;
using Llama.Platform.Runs;
using static TorchSharp.torch;

namespace Llama.Pretraining.Training;

/// <summary>What to pretrain on, how, and where: the curated folder (or dataset artifact id), the config, the output folder.</summary>
public sealed record PretrainRequest(string Data, PretrainConfig Config, string Output, bool Resume = false, string? Name = null, string Device = "cpu");

/// <summary>The run's result: the final (averaged) model directory and the report.</summary>
public sealed record PretrainOutcome(string ModelDirectory, PretrainReport Report, Guid? RunId, Guid? ModelArtifactId);

/// <summary>
/// The one entry point of the pretraining stage (<c>llama pretrain</c> and the pretraining service): opens the data
/// and checks it against its tokenizer, builds or resumes the model, trains, averages the annealing checkpoints
/// (Polyak) into the final model, writes it as a Hugging Face directory, and records everything on the platform.
/// </summary>
public static class PretrainRunner
{
    public static async Task<PretrainOutcome> RunAsync(PretrainRequest request, PlatformSettings? platform,
        IProgress<TrainingStep>? progress = null, CancellationToken cancellation = default)
    {
        var config = request.Config;
        config.Validate();
        var device = Llama.Core.Devices.DeviceSpec.Parse(request.Device);
        var (dataFolder, tokenizer, modelConfig, split, sampler) = await OpenDataAsync(request, platform, cancellation);
        var store = new TrainingCheckpointStore(Path.Combine(request.Output, "checkpoints"));
        Directory.CreateDirectory(request.Output);
        File.WriteAllText(Path.Combine(request.Output, "pretrain-config.json"), config.ToJson());

        using var model = new LlamaModel(modelConfig, device);
        TrainerState state;
        var latest = request.Resume ? store.Latest() : null;
        if (request.Resume && latest is null) throw new InvalidOperationException($"--resume: no checkpoint in {store.Root} to resume from");
        if (!request.Resume && store.Latest() is { } existing)
            throw new InvalidOperationException($"{request.Output} already holds checkpoints (latest step {existing.Step}); pass --resume to continue, or choose another --out");
        if (latest is not null)
        {
            using var loaded = store.Load(latest);
            loaded.LoadWeightsInto(model);
            state = JsonSerializer.Deserialize<TrainerState>(loaded.TrainerStateJson, JsonSerializerOptions.Web)!;
        }
        else
        {
            model.InitializeWeights(config.Seed);
            state = new TrainerState { Sampler = sampler.GetState() };
        }

        var recorder = platform is null ? null : await PretrainRecorder.StartAsync(platform, request, config, store, cancellation);
        var baseline = UnigramBaseline.Fit(split.Training, tokenizer.VocabSize);
        double unigram = baseline.CrossEntropy(split.Validation);
        var trainer = new Trainer(model, sampler, config, store, device)
        {
            PeakFlops = MatmulPeak.Measure(device),
            CheckpointSaved = recorder is null ? null : (info, s) => recorder.CheckpointAsync(info, s, cancellation),
        };
        try
        {
            var metrics = recorder is null ? progress : new SynchronousProgress<TrainingStep>(step =>
            {
                progress?.Report(step);
                recorder.Observe(step);
            });
            state = await trainer.RunAsync(state, metrics, cancellation);

            // The final model is the average of the annealing checkpoints (the paper, section 3.4.3).
            string modelDirectory = Path.Combine(request.Output, "model");
            AverageInto(model, store, state.AnnealCheckpointSteps);
            LlamaDirectory.Save(model, modelDirectory, tokenizer);
            double finalValidation = trainer.ValidationLoss(config.Context.MaxSequenceLength);
            var (samples, knownWords) = TextSamples.ForReport(model, tokenizer, split, config.Seed);
            var report = PretrainReport.Write(request.Output, config, modelConfig, state, unigram, finalValidation, trainer.PeakFlops, samples, knownWords);
            Guid? artifact = recorder is null ? null : await recorder.FinishAsync(modelDirectory, report, cancellation);
            return new PretrainOutcome(modelDirectory, report, recorder?.RunId, artifact);
        }
        catch (Exception e) when (recorder is not null)
        {
            await recorder.FailAsync(e);
            throw;
        }
    }

    /// <summary>Opens the curated data, checks it against its tokenizer, and sizes the model's vocabulary from it.</summary>
    internal static async Task<PretrainData> OpenDataAsync(PretrainRequest request, PlatformSettings? platform, CancellationToken cancellation)
    {
        var config = request.Config;
        string dataFolder = await DatasetResolver.ResolveAsync(request.Data, platform, cancellation);
        var shards = await TokenShardSet.OpenAsync(dataFolder, cancellation);
        var tokenizer = shards.TokenizerDirectory is { } tokenizerDir
            ? Llama3Tokenizer.FromDirectory(tokenizerDir)
            : throw new FileNotFoundException($"{dataFolder}: no tokenizer/ next to tokens/ (curation writes one); the model's vocabulary must come from it");
        // Shards from another tokenizer would train on the wrong ids: refuse before the first step.
        shards.ValidateVocabulary(tokenizer.VocabSize, tokenizer.BosId, tokenizer.EosId);

        var modelConfig = LlamaPresets.Get(config.Model) with
        {
            VocabSize = tokenizer.VocabSize, BosTokenId = tokenizer.BosId, EosTokenId = [tokenizer.EosId, tokenizer.EotId],
        };
        var split = shards.Split(new ValidationSplitOptions(config.ValidationFraction, MinimumDocuments: 1));
        var sampler = new PackedBatchSampler(split, new DomainMix(config.Mix), config.Seed);
        return new PretrainData(dataFolder, tokenizer, modelConfig, split, sampler);
    }

    /// <summary>Loads the mean of the given checkpoints' weights into <paramref name="model"/>.</summary>
    public static void AverageInto(LlamaModel model, TrainingCheckpointStore store, IReadOnlyList<long> steps)
    {
        if (steps.Count == 0) return;
        using var averager = new PolyakAverager();
        foreach (var step in steps)
        {
            using var loaded = store.Load(step);
            var tensors = loaded.Model.Names.ToDictionary(n => n, n => loaded.Model.ReadTensor(n));
            try { averager.Add(tensors); }
            finally { foreach (var t in tensors.Values) t.Dispose(); }
        }
        var averaged = averager.Average();
        using var noGrad = no_grad();
        foreach (var (name, parameter) in model.named_parameters()) parameter.copy_(averaged[name]);
        foreach (var t in averaged.Values) t.Dispose();
    }
}

/// <summary>The opened training data: where it is, its tokenizer, the model shape sized to it, the split and the sampler.</summary>
internal sealed record PretrainData(string Folder, Llama3Tokenizer Tokenizer, LlamaConfig ModelConfig, TokenDataSplit Split, PackedBatchSampler Sampler);

