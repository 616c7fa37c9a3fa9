using System.Diagnostics;
using System.Text.Json;
using Llama.Core.Checkpoints;
using Llama.Core;
using Llama.Core.Model;
using Llama.Pretraining.Checkpointing;
using Llama.Pretraining.Data;
using Llama.Core.Training;
using Llama.Pretraining.Optimization;
using Llama.Pretraining.Parallel.ProcessGroups;
using Llama.Pretraining.Training;
using static TorchSharp.torch;
using AdamW = Llama.Core.Training.AdamW;

namespace Llama.Pretraining.Parallel;

/// <summary>
/// <c>llama pretrain --tp/--cp/--pp/--dp</c> on one rank of the world: the same recipe as <see cref="PretrainRunner"/>
/// and <see cref="Trainer"/> (schedules, batch and context ramps, annealing mix switch, clipping, AdamW, the Polyak
/// average of the annealing checkpoints as the final model) with the model split over a <see cref="DeviceMesh"/>.
/// Every rank draws the same global batch from the same seeded sampler and keeps its part. World rank 0 writes the
/// outputs (<c>model/</c>, <c>report.json</c>, <c>report.md</c>); it assembles the full weights at each annealing
/// checkpoint to average them, and every rank writes its shard of each checkpoint (<see cref="DistributedCheckpoint"/>),
/// so <c>--resume</c> continues on any mesh. Not done in this path: periodic validation during training (the final
/// model's validation loss is measured) and platform recording.
/// </summary>
public static class ParallelPretrainRunner
{
    /// <summary>Where a parallel run keeps its checkpoints (per-rank shards), beside the single-process runner's <c>checkpoints/</c>.</summary>
    public static string CheckpointRoot(string output) => Path.Combine(output, "checkpoints-parallel");

    /// <summary>True when <paramref name="output"/> holds a complete parallel checkpoint (a resume then continues it, on any mesh).</summary>
    public static bool HasCheckpoint(string output) => DistributedCheckpoint.Latest(CheckpointRoot(output)) is not null;

    public static async Task<PretrainOutcome?> RunAsync(PretrainRequest request, ParallelDimensions dimensions, IProcessGroup world,
        IProgress<TrainingStep>? progress = null, CancellationToken cancellation = default)
    {
        var config = request.Config;
        config.Validate();
        var device = Llama.Core.Devices.DeviceSpec.Parse(request.Device);
        var (_, tokenizer, modelConfig, split, sampler) = await PretrainRunner.OpenDataAsync(request, platform: null, cancellation);
        dimensions.Validate(world.Size, modelConfig);
        bool writer = world.Rank == 0;
        string root = CheckpointRoot(request.Output);
        long? latest = DistributedCheckpoint.Latest(root);
        if (request.Resume && latest is null) throw new InvalidOperationException($"--resume: no parallel checkpoint in {root} to resume from");
        if (!request.Resume && latest is not null)
            throw new InvalidOperationException($"{request.Output} already holds checkpoints (latest step {latest}); pass --resume to continue, or choose another --out");
        if (writer)
        {
            Directory.CreateDirectory(Path.Combine(root, "anneal"));
            File.WriteAllText(Path.Combine(request.Output, "pretrain-config.json"), config.ToJson());
        }

        using var mesh = new DeviceMesh(world, dimensions);
        using var model = new LlamaModel(modelConfig, device);
        Dictionary<string, Tensor>? saved = null;
        TrainerState state;
        if (latest is { } resumeStep)
        {
            // Full tensors from whatever mesh wrote them; the model takes the weights, then each rank cuts its part.
            saved = DistributedCheckpoint.LoadFull(root, resumeStep);
            using (no_grad())
                foreach (var (name, parameter) in model.named_parameters()) parameter.copy_(saved[name]);
            state = JsonSerializer.Deserialize<TrainerState>(DistributedCheckpoint.ReadTrainerState(root, resumeStep), JsonSerializerOptions.Web)!;
        }
        else
        {
            model.InitializeWeights(config.Seed); // the same full model on every rank; each keeps its part
            state = new TrainerState { Sampler = sampler.GetState() };
        }
        using var parallel = new ParallelLlama(model, mesh);
        using var optimizer = new AdamW(parallel.Data.OptimizedParameters, config.OptimizerOptions);
        if (saved is not null)
        {
            var moments = parallel.OptimizerStateFrom(saved);
            optimizer.LoadState(moments, state.Step);
            foreach (var t in moments.Values.Concat(saved.Values)) t.Dispose();
        }
        sampler.RestoreState(state.Sampler);

        var schedule = config.Schedule;
        var annealSteps = Trainer.AnnealCheckpointStepsOf(config);
        var trainLoss = state.TrainLoss.ToList();
        long tokensSeen = state.TokensSeen;
        var clock = Stopwatch.StartNew();
        long tokensAtClock = tokensSeen;
        model.train();
        for (long step = state.Step; step < schedule.TotalSteps; step++)
        {
            StopTogetherIfCancelled(world, cancellation);
            var (learningRate, batch) = Trainer.NextBatch(config, sampler, step, tokensSeen);
            double loss, gradientNorm;
            using (var scope = NewDisposeScope())
            {
                var (inputs, targets, documents, positions) = batch.ToTensors(device);
                loss = parallel.ForwardBackward(inputs, targets, documents, positions, batch.PredictedTokens, config.MicroBatchSequences);
            }
            gradientNorm = parallel.ClipGradients(config.ClipNorm);
            if (!double.IsFinite(loss) || !double.IsFinite(gradientNorm))
                throw new TrainingDivergedException($"step {step}: the {(double.IsFinite(loss) ? "gradient norm" : "loss")} is not finite; training stopped (rank {world.Rank}, layout {dimensions}). " +
                    $"The last good checkpoint is {(DistributedCheckpoint.Latest(root) is { } last ? $"step {last}" : "none")}; lower the learning rate and resume from it.");
            optimizer.Step(learningRate);
            optimizer.ZeroGrad();
            tokensSeen += (long)batch.BatchSize * batch.SequenceLength;
            long completed = step + 1;
            trainLoss.Add(new LossPoint(completed, loss));
            if (annealSteps.Contains(completed)) SaveAnnealWeights(parallel, root, completed);
            if (completed % config.CheckpointEvery == 0 || completed == schedule.TotalSteps || annealSteps.Contains(completed))
            {
                state = state with
                {
                    Step = completed, TokensSeen = tokensSeen, Sampler = sampler.GetState(), LastLoss = loss,
                    AnnealCheckpointSteps = [.. annealSteps.Where(s => s <= completed).Order()], TrainLoss = trainLoss,
                };
                DistributedCheckpoint.Save(root, completed, parallel, optimizer.StateTensors(), JsonSerializer.Serialize(state, JsonSerializerOptions.Web));
            }
            double seconds = clock.Elapsed.TotalSeconds;
            if (writer)
                progress?.Report(new TrainingStep(completed, schedule.TotalSteps, tokensSeen, loss, learningRate, gradientNorm,
                    seconds > 0 ? (tokensSeen - tokensAtClock) / seconds : 0, 0, batch.BatchSize, batch.SequenceLength, null));
        }
        state = state with { TrainLoss = trainLoss };
        world.Barrier();
        if (!writer) return null;

        // The final model is the average of the annealing checkpoints (the paper, section 3.4.3), as the single-process runner makes it.
        using var final = new LlamaModel(modelConfig, device);
        PolyakAverageInto(final, root, state.AnnealCheckpointSteps);
        string modelDirectory = Path.Combine(request.Output, "model");
        LlamaDirectory.Save(final, modelDirectory, tokenizer);
        var evaluator = new Trainer(final, sampler, config, new TrainingCheckpointStore(Path.Combine(request.Output, "checkpoints")), device);
        double finalValidation = evaluator.ValidationLoss(config.Context.MaxSequenceLength);
        var baseline = UnigramBaseline.Fit(split.Training, tokenizer.VocabSize);
        var (samples, knownWords) = TextSamples.ForReport(final, tokenizer, split, config.Seed);
        var report = PretrainReport.Write(request.Output, config, modelConfig, state, baseline.CrossEntropy(split.Validation), finalValidation,
            peakFlops: 0, samples, knownWords);
        return new PretrainOutcome(modelDirectory, report, null, null);
    }

    /// <summary>Cancellation is agreed on by all ranks at a step boundary, so no rank is left waiting in a collective for one that stopped.</summary>
    private static void StopTogetherIfCancelled(IProcessGroup world, CancellationToken cancellation)
    {
        using var flag = tensor(new[] { cancellation.IsCancellationRequested ? 1L : 0L });
        world.AllReduce(flag, ReduceOperation.Max);
        if (flag.item<long>() != 0) throw new OperationCanceledException("the parallel run was cancelled; every rank stopped at the same step", cancellation);
    }

    /// <summary>Rank 0 keeps the full weights of each annealing checkpoint (collective: every rank contributes its part).</summary>
    private static void SaveAnnealWeights(ParallelLlama parallel, string root, long step)
    {
        var full = parallel.GatherFullModel();
        if (full.Count > 0)
        {
            string file = AnnealFile(root, step);
            SafetensorsWriter.Write(file + ".tmp", full);
            File.Move(file + ".tmp", file, overwrite: true);
        }
        foreach (var t in full.Values) t.Dispose();
    }

    private static string AnnealFile(string root, long step) => Path.Combine(root, "anneal", $"step-{step:D8}.safetensors");

    private static void PolyakAverageInto(LlamaModel model, string root, IReadOnlyList<long> steps)
    {
        using var averager = new PolyakAverager();
        foreach (var step in steps)
        {
            using var reader = SafetensorsReader.Open(AnnealFile(root, step));
            var tensors = reader.Names.ToDictionary(n => n, reader.ReadTensor);
            averager.Add(tensors);
            foreach (var t in tensors.Values) t.Dispose();
        }
        var averaged = averager.Average();
        using (no_grad())
            foreach (var (name, parameter) in model.named_parameters()) parameter.copy_(averaged[name]);
        foreach (var t in averaged.Values) t.Dispose();
    }
}
