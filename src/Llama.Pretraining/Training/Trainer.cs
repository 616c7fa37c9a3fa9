using Llama.Core.Training;
using System.Diagnostics;
using System.Text.Json;
using Llama.Core.Config;
using Llama.Core.Model;
using Llama.Pretraining.Checkpointing;
using Llama.Pretraining.Data;
using Llama.Pretraining.Optimization;
using static TorchSharp.torch;
using AdamW = Llama.Core.Training.AdamW;

namespace Llama.Pretraining.Training;

/// <summary>What the trainer reports after each step (for progress bars, job progress, metrics).</summary>
public sealed record TrainingStep(long Step, long TotalSteps, long TokensSeen, double Loss, double LearningRate, double GradientNorm,
    double TokensPerSecond, double Mfu, int BatchSequences, int SequenceLength, double? ValidationLoss);

/// <summary>
/// The training loop (nanoGPT-style, one file): per step the learning rate, batch size and sequence length come from
/// the schedules; a packed batch with its document mask is split into micro-batches whose token-summed losses are
/// back-propagated; gradients are clipped and AdamW steps. During annealing the data mix switches to the annealing
/// mix and checkpoints are kept for averaging. Checkpoints hold everything needed to continue exactly.
/// </summary>
public sealed class Trainer(LlamaModel model, PackedBatchSampler sampler, PretrainConfig config, TrainingCheckpointStore checkpoints, Device device)
{
    private static readonly JsonSerializerOptions StateJson = new(JsonSerializerDefaults.Web);

    /// <summary>Called after each checkpoint is written (the runner publishes it).</summary>
    public Func<CheckpointInfo, TrainerState, Task>? CheckpointSaved { get; init; }

    /// <summary>Matmul peak of this machine (FLOP/s), for MFU; measured by the caller once at start.</summary>
    public double PeakFlops { get; init; }

    public async Task<TrainerState> RunAsync(TrainerState state, IProgress<TrainingStep>? progress, CancellationToken cancellation)
    {
        using var optimizer = new AdamW(model.named_parameters().Select(p => (p.name, p.parameter)), config.OptimizerOptions);
        if (state.Step > 0) RestoreOptimizer(optimizer, state);
        sampler.RestoreState(state.Sampler);
        var schedule = config.Schedule;
        var annealSteps = AnnealCheckpointSteps();
        var trainLoss = state.TrainLoss.ToList();
        var validationLoss = state.ValidationLoss.ToList();
        long tokensSeen = state.TokensSeen;
        var clock = Stopwatch.StartNew();
        long tokensAtClock = tokensSeen;
        model.train();

        for (long step = state.Step; step < schedule.TotalSteps; step++)
        {
            cancellation.ThrowIfCancellationRequested();
            var (learningRate, batch) = NextBatch(config, sampler, step, tokensSeen);
            int sequenceLength = batch.SequenceLength;
            double loss = TrainStep(batch);
            double gradientNorm = GradientClipping.ClipGlobalNorm(model.parameters(), config.ClipNorm);
            if (!double.IsFinite(loss) || !double.IsFinite(gradientNorm))
                throw new TrainingDivergedException(
                    $"step {step}: the {(double.IsFinite(loss) ? "gradient norm" : "loss")} is {(double.IsFinite(loss) ? gradientNorm : loss)}; training stopped. " +
                    $"The last good checkpoint is {(checkpoints.Latest() is { } last ? $"step {last.Step} at {last.Path}" : "none (no checkpoint was written yet)")}; " +
                    "lower the learning rate or the batch ramp and resume from it.");
            optimizer.Step(learningRate);
            optimizer.ZeroGrad();
            tokensSeen += (long)batch.BatchSize * batch.SequenceLength;
            long completed = step + 1;
            trainLoss.Add(new LossPoint(completed, loss));

            double? validation = null;
            if (completed % config.EvalEvery == 0 || completed == schedule.TotalSteps)
            {
                validation = ValidationLoss(sequenceLength);
                validationLoss.Add(new LossPoint(completed, validation.Value));
                PretrainMetrics.Validation(validation.Value);
            }

            double seconds = clock.Elapsed.TotalSeconds;
            double tokensPerSecond = seconds > 0 ? (tokensSeen - tokensAtClock) / seconds : 0;
            double mfu = PeakFlops > 0 ? Mfu.Compute(tokensPerSecond, model.Config, sequenceLength, PeakFlops) : 0;
            PretrainMetrics.Step(loss, learningRate, gradientNorm, tokensPerSecond, mfu, tokensSeen);
            progress?.Report(new TrainingStep(completed, schedule.TotalSteps, tokensSeen, loss, learningRate, gradientNorm, tokensPerSecond, mfu,
                batch.BatchSize, batch.SequenceLength, validation));

            bool anneal = annealSteps.Contains(completed);
            if (anneal || completed % config.CheckpointEvery == 0 || completed == schedule.TotalSteps)
            {
                state = state with
                {
                    Step = completed, TokensSeen = tokensSeen, Sampler = sampler.GetState(), LastLoss = loss,
                    AnnealCheckpointSteps = [.. state.AnnealCheckpointSteps.Concat(anneal ? [completed] : []).Distinct()],
                    TrainLoss = trainLoss, ValidationLoss = validationLoss,
                };
                var saved = checkpoints.Save(completed, model.named_parameters().Select(p => new KeyValuePair<string, Tensor>(p.name, p.parameter)),
                    optimizer.StateTensors(), JsonSerializer.Serialize(state, StateJson), model.Config);
                checkpoints.Prune(config.KeepCheckpoints, state.AnnealCheckpointSteps);
                if (CheckpointSaved is not null) await CheckpointSaved(saved, state);
            }
        }
        return state with { TrainLoss = trainLoss, ValidationLoss = validationLoss };
    }

    /// <summary>
    /// The learning rate and the batch of <paramref name="step"/>: sizes from the ramps, and the annealing mix from its
    /// first step on (the restored sampler state carries the mix in force, so it switches once). The parallel runner
    /// draws its batches the same way.
    /// </summary>
    public static (double LearningRate, Batch Batch) NextBatch(PretrainConfig config, PackedBatchSampler sampler, long step, long tokensSeen)
    {
        var schedule = config.Schedule;
        int sequenceLength = config.Context.SequenceLengthAt(tokensSeen);
        int sequences = config.BatchRamp.SequencesAt(tokensSeen, sequenceLength);
        if (step == schedule.AnnealStartStep && schedule.AnnealSteps > 0) sampler.Mix = new DomainMix(config.AnnealMix);
        return (schedule.At(step), sampler.NextBatch(sequences, sequenceLength));
    }

    /// <summary>One optimizer step's forward and backward passes; returns the mean loss per predicted token.</summary>
    private double TrainStep(Batch batch)
    {
        using var scope = NewDisposeScope();
        var (inputs, targets, documents, positions) = batch.ToTensors(device);
        double predicted = Math.Max(1, batch.PredictedTokens);
        double total = 0;
        for (int start = 0; start < batch.BatchSize; start += config.MicroBatchSequences)
        {
            int rows = Math.Min(config.MicroBatchSequences, batch.BatchSize - start);
            var logits = model.Forward(inputs.narrow(0, start, rows), positions: positions.narrow(0, start, rows), documentIds: documents.narrow(0, start, rows));
            // Summed over tokens and divided by the whole step's token count: accumulation equals one big batch.
            var loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[^1]).to(ScalarType.Float32),
                targets.narrow(0, start, rows).reshape(-1), ignore_index: Batch.IgnoreIndex, reduction: nn.Reduction.Sum) / predicted;
            loss.backward();
            total += loss.item<float>();
        }
        return total;
    }

    /// <summary>Mean validation loss per predicted token over a fixed set of validation batches.</summary>
    public double ValidationLoss(int sequenceLength)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        model.eval();
        double sum = 0, count = 0;
        foreach (var batch in sampler.ValidationBatches(config.MicroBatchSequences, sequenceLength, config.EvalBatches))
        {
            var (inputs, targets, documents, positions) = batch.ToTensors(device);
            var logits = model.Forward(inputs, positions: positions, documentIds: documents);
            sum += nn.functional.cross_entropy(logits.reshape(-1, logits.shape[^1]).to(ScalarType.Float32), targets.reshape(-1),
                ignore_index: Batch.IgnoreIndex, reduction: nn.Reduction.Sum).item<float>();
            count += batch.PredictedTokens;
        }
        model.train();
        return count > 0 ? sum / count : double.NaN;
    }

    /// <summary>Completed-step counts at which annealing checkpoints are kept: spread evenly, the last one at the end.</summary>
    public HashSet<long> AnnealCheckpointSteps() => AnnealCheckpointStepsOf(config);

    /// <summary>The same rule for any config (the parallel runner uses it too).</summary>
    public static HashSet<long> AnnealCheckpointStepsOf(PretrainConfig config)
    {
        var s = config.Schedule;
        if (s.AnnealSteps <= 0) return [s.TotalSteps];
        int k = config.AnnealCheckpoints;
        return Enumerable.Range(1, k).Select(i => s.AnnealStartStep + (long)Math.Round(i * (double)s.AnnealSteps / k)).ToHashSet();
    }

    private void RestoreOptimizer(AdamW optimizer, TrainerState state)
    {
        using var loaded = checkpoints.Load(state.Step);
        var tensors = loaded.Optimizer.Names.ToDictionary(n => n, n => loaded.Optimizer.ReadTensor(n));
        try { optimizer.LoadState(tensors, state.Step); }
        finally { foreach (var t in tensors.Values) t.Dispose(); }
    }
}
