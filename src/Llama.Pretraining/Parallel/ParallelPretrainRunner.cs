using System.Diagnostics;
using Llama.Core;
using Llama.Core.Model;
using Llama.Pretraining.Checkpointing;
using Llama.Pretraining.Data;
using Llama.Pretraining.Optimization;
using Llama.Pretraining.Parallel.ProcessGroups;
using Llama.Pretraining.Training;
using static TorchSharp.torch;
using AdamW = Llama.Pretraining.Optimization.AdamW;

namespace Llama.Pretraining.Parallel;

/// <summary>
/// <c>llama pretrain --tp/--cp/--pp/--dp</c> on one rank of the world: the same recipe as <see cref="PretrainRunner"/>
/// and <see cref="Trainer"/> (schedules, batch and context ramps, annealing mix switch, clipping, AdamW, the Polyak
/// average of the annealing checkpoints as the final model) with the model split over a <see cref="DeviceMesh"/>.
/// Every rank draws the same global batch from the same seeded sampler and keeps its part. World rank 0 writes the
/// outputs (<c>model/</c>, <c>report.json</c>, <c>report.md</c>); it assembles the full weights at each annealing
/// checkpoint to average them. Not done in this path: periodic validation during training (the final model's
/// validation loss is measured), platform recording, and resuming (distributed checkpoints are not written yet).
/// </summary>
public static class ParallelPretrainRunner
{
    public static async Task<PretrainOutcome?> RunAsync(PretrainRequest request, ParallelDimensions dimensions, IProcessGroup world,
        IProgress<TrainingStep>? progress = null, CancellationToken cancellation = default)
    {
        var config = request.Config;
        config.Validate();
        if (request.Resume) throw new NotSupportedException("--resume with a parallel layout: distributed checkpoints are not implemented yet; resume single-process runs only");
        var device = Llama.Core.Devices.DeviceSpec.Parse(request.Device);
        var (_, tokenizer, modelConfig, split, sampler) = await PretrainRunner.OpenDataAsync(request, platform: null, cancellation);
        dimensions.Validate(world.Size, modelConfig);
        bool writer = world.Rank == 0;
        if (writer)
        {
            Directory.CreateDirectory(request.Output);
            File.WriteAllText(Path.Combine(request.Output, "pretrain-config.json"), config.ToJson());
        }

        using var mesh = new DeviceMesh(world, dimensions);
        using var model = new LlamaModel(modelConfig, device);
        model.InitializeWeights(config.Seed); // the same full model on every rank; each keeps its part
        using var parallel = new ParallelLlama(model, mesh);
        using var optimizer = new AdamW(parallel.Data.OptimizedParameters, config.OptimizerOptions);
        var store = new TrainingCheckpointStore(Path.Combine(request.Output, "checkpoints"));
        using var averager = new PolyakAverager();

        var schedule = config.Schedule;
        var annealSteps = Trainer.AnnealCheckpointStepsOf(config);
        var trainLoss = new List<LossPoint>();
        long tokensSeen = 0;
        var clock = Stopwatch.StartNew();
        model.train();
        for (long step = 0; step < schedule.TotalSteps; step++)
        {
            cancellation.ThrowIfCancellationRequested();
            var (learningRate, batch) = Trainer.NextBatch(config, sampler, step, tokensSeen);
            double loss, gradientNorm;
            using (var scope = NewDisposeScope())
            {
                var (inputs, targets, documents, positions) = batch.ToTensors(device);
                loss = parallel.ForwardBackward(inputs, targets, documents, positions, batch.PredictedTokens, config.MicroBatchSequences);
            }
            gradientNorm = parallel.ClipGradients(config.ClipNorm);
            if (!double.IsFinite(loss) || !double.IsFinite(gradientNorm))
                throw new TrainingDivergedException($"step {step}: the {(double.IsFinite(loss) ? "gradient norm" : "loss")} is not finite; training stopped (rank {world.Rank}, layout {dimensions})");
            optimizer.Step(learningRate);
            optimizer.ZeroGrad();
            tokensSeen += (long)batch.BatchSize * batch.SequenceLength;
            long completed = step + 1;
            trainLoss.Add(new LossPoint(completed, loss));
            if (annealSteps.Contains(completed))
            {
                var full = parallel.GatherFullModel();
                if (writer) averager.Add(full);
                foreach (var t in full.Values) t.Dispose();
            }
            double seconds = clock.Elapsed.TotalSeconds;
            if (writer)
                progress?.Report(new TrainingStep(completed, schedule.TotalSteps, tokensSeen, loss, learningRate, gradientNorm,
                    seconds > 0 ? tokensSeen / seconds : 0, 0, batch.BatchSize, batch.SequenceLength, null));
        }

        var state = new TrainerState
        {
            Step = schedule.TotalSteps, TokensSeen = tokensSeen, Sampler = sampler.GetState(), LastLoss = trainLoss.LastOrDefault()?.Loss,
            AnnealCheckpointSteps = [.. annealSteps.Order()], TrainLoss = trainLoss,
        };
        world.Barrier();
        if (!writer) return null;

        // The final model is the average of the annealing checkpoints (the paper, section 3.4.3), as the single-process runner makes it.
        using var final = new LlamaModel(modelConfig, device);
        var averaged = averager.Average();
        using (no_grad())
            foreach (var (name, parameter) in final.named_parameters()) parameter.copy_(averaged[name]);
        foreach (var t in averaged.Values) t.Dispose();
        string modelDirectory = Path.Combine(request.Output, "model");
        LlamaDirectory.Save(final, modelDirectory, tokenizer);
        var evaluator = new Trainer(final, sampler, config, store, device);
        double finalValidation = evaluator.ValidationLoss(config.Context.MaxSequenceLength);
        var baseline = UnigramBaseline.Fit(split.Training, tokenizer.VocabSize);
        var report = PretrainReport.Write(request.Output, config, modelConfig, state, baseline.CrossEntropy(split.Validation), finalValidation, peakFlops: 0);
        return new PretrainOutcome(modelDirectory, report, null, null);
    }
}
