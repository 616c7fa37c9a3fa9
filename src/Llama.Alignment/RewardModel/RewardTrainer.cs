using Llama.Alignment.Data;
using Llama.Alignment.Training;
using static TorchSharp.torch;

namespace Llama.Alignment.RewardModel;

/// <summary>Held-out reward model quality: how often the chosen reply scores higher, and by how much on average.</summary>
public sealed record RewardAccuracy(int Pairs, double Accuracy, double MeanMargin);

/// <summary>What a reward model run did.</summary>
public sealed record RewardResult(int Steps, FitCounts Fit, double FirstLoss, double FinalLoss);

/// <summary>Trains a <see cref="RewardModel"/> with the Bradley-Terry loss on (chosen, rejected) pairs.</summary>
public static class RewardTrainer
{
    public static RewardResult Train(RewardModel model, ChatEncoder encoder, IReadOnlyList<PreferencePair> pairs, RewardOptions options,
        IProgress<TrainingStep>? progress = null, CancellationToken cancellation = default)
    {
        options.Training.Validate("rm.training");
        var (fitted, fit) = ContextFit.Preferences(pairs.Select(encoder.Encode), model.Config.MaxPositionEmbeddings, options.Overlong);
        if (fitted.Count == 0) throw new ChatDataException($"no preference pair fits the context ({fit})");
        var random = new Random(options.Training.Seed);
        var (first, last) = TrainingLoop.Run(model, options.Training, "rm", _ =>
        {
            var batch = Enumerable.Range(0, options.Training.BatchSize).Select(_ => fitted[random.Next(fitted.Count)]).ToList();
            var (chosen, rejected) = Score(model, batch, encoder.Tokenizer.EotId);
            return (BradleyTerryLoss.Compute(chosen, rejected), null);
        }, progress, cancellation);
        return new RewardResult(options.Training.Steps, fit, first, last);
    }

    public static RewardAccuracy Evaluate(RewardModel model, ChatEncoder encoder, IReadOnlyList<PreferencePair> pairs, int batchSize = 16)
    {
        var (fitted, _) = ContextFit.Preferences(pairs.Select(encoder.Encode), model.Config.MaxPositionEmbeddings, OverlongPolicy.Truncate);
        if (fitted.Count == 0) return new RewardAccuracy(0, double.NaN, double.NaN);
        using var noGrad = no_grad();
        model.eval();
        int correct = 0;
        double margin = 0;
        foreach (var batch in fitted.Chunk(batchSize))
        {
            using var scope = NewDisposeScope();
            var (chosen, rejected) = Score(model, batch, encoder.Tokenizer.EotId);
            var difference = (chosen - rejected).data<float>().ToArray();
            correct += difference.Count(d => d > 0);
            margin += difference.Sum();
        }
        return new RewardAccuracy(fitted.Count, correct / (double)fitted.Count, margin / fitted.Count);
    }

    /// <summary>Rewards of a list of replies to their prompts (the rejection sampler's judge).</summary>
    public static float[] Score(RewardModel model, IReadOnlyList<(int[] Prompt, int[] Reply)> sequences, int padId)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var rows = sequences.Select(s => (int[])[.. s.Prompt, .. s.Reply]).ToList();
        var ids = SequenceBatch.RightPadded(rows, padId, model.Device);
        var last = tensor(rows.Select(r => (long)r.Length - 1).ToArray(), ScalarType.Int64, model.Device);
        return model.Forward(ids, last).data<float>().ToArray();
    }

    /// <summary>Chosen and rejected rewards [B] in one forward pass over 2B right-padded rows.</summary>
    private static (Tensor Chosen, Tensor Rejected) Score(RewardModel model, IReadOnlyList<EncodedPreference> batch, int padId)
    {
        var rows = batch.Select(p => (int[])[.. p.Prompt, .. p.Chosen]).Concat(batch.Select(p => (int[])[.. p.Prompt, .. p.Rejected])).ToList();
        var ids = SequenceBatch.RightPadded(rows, padId, model.Device);
        var last = tensor(rows.Select(r => (long)r.Length - 1).ToArray(), ScalarType.Int64, model.Device);
        var rewards = model.Forward(ids, last);
        return (rewards.narrow(0, 0, batch.Count), rewards.narrow(0, batch.Count, batch.Count));
    }
}
