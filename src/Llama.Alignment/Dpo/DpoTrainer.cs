using Llama.Alignment.Data;
using Llama.Alignment.Training;
using Llama.Core.Model;
using static TorchSharp.torch;

namespace Llama.Alignment.Dpo;

/// <summary>What a DPO run did.</summary>
public sealed record DpoResult(int Steps, FitCounts Fit, double FirstLoss, double FinalLoss);

/// <summary>
/// Held-out preference quality of a model. <see cref="RewardAccuracy"/> and <see cref="RewardMargin"/> are TRL's
/// <c>rewards/accuracies</c> and <c>rewards/margins</c>: DPO's implicit reward β·(log π − log π_ref) over the reply
/// content, chosen minus rejected, against a given reference (zero for the reference itself). With one reference for
/// every model (the pretrained one) they compare base, SFT and DPO models; against the SFT model they are DPO's own
/// training metric on held-out pairs. <see cref="LogProbAccuracy"/> and <see cref="LogProbMargin"/> need no
/// reference: how often, and by how much, the model's own log-probability of the whole chosen reply (eot included)
/// exceeds the rejected one's, i.e. which finished answer it prefers; <see cref="LogProbAccuracyByTask"/> splits that
/// by task (a task the model cannot learn, such as quiz facts it never saw, holds the overall figure near a coin flip).
/// Against a reference, <see cref="RankingsGained"/> and <see cref="RankingsLost"/> count the pairs this model ranks
/// right (by its own log-probs) where the reference ranks them wrong, and the reverse: the paired view of a change in
/// preference accuracy, for a sign test.
/// </summary>
public sealed record PreferenceMetrics(int Pairs, double RewardAccuracy, double RewardMargin, double LogProbAccuracy, double LogProbMargin,
    IReadOnlyDictionary<string, double>? LogProbAccuracyByTask = null, int RankingsGained = 0, int RankingsLost = 0);

/// <summary>
/// A model's summed log-probs of held-out pairs (fitted to its context by truncation) and each pair's task: scored
/// once, then compared against any reference scored on the same pairs (<see cref="DpoTrainer.Compare"/>).
/// </summary>
public sealed record PreferenceScores(IReadOnlyList<string> Tasks, ReferenceLogProbs LogProbs);

/// <summary>DPO against a frozen reference whose log-probs are cached once (<see cref="ReferenceLogProbs"/>).</summary>
public static class DpoTrainer
{
    /// <summary>
    /// Trains <paramref name="policy"/> in place. The reference log-probs are computed from <paramref name="policy"/>'s
    /// weights before the first update unless given: the reference is the policy DPO starts from (the SFT model).
    /// </summary>
    public static DpoResult Train(LlamaModel policy, ChatEncoder encoder, IReadOnlyList<PreferencePair> pairs, DpoOptions options,
        IProgress<TrainingStep>? progress = null, CancellationToken cancellation = default)
    {
        options.Validate();
        var (fitted, fit) = ContextFit.Preferences(pairs.Select(encoder.Encode), policy.Config.MaxPositionEmbeddings, options.Overlong);
        if (fitted.Count == 0) throw new ChatDataException($"no preference pair fits the context ({fit})");
        var reference = ReferenceLogProbs.Compute(policy, fitted, encoder.Tokenizer);
        var random = new Random(options.Training.Seed);
        // With LoRA the adapters start at B = 0, so the cached reference is exactly the frozen base they adapt.
        var (first, last) = options.Lora.Around(policy, options.Training.Seed, () => TrainingLoop.Run(policy, options.Training, "dpo", _ =>
        {
            var picks = Enumerable.Range(0, options.Training.BatchSize).Select(_ => random.Next(fitted.Count)).ToArray();
            var batch = PreferenceBatch.Create(picks.Select(i => fitted[i]).ToList(), encoder.Tokenizer, policy.Device);
            var logProbs = batch.LogProbs(policy);
            var terms = DpoLoss.Compute(batch.Chosen(logProbs), batch.Rejected(logProbs), batch.Chosen(batch.ContentMask), batch.Rejected(batch.ContentMask),
                batch.Chosen(batch.ReplyMask), tensor(picks.Select(i => reference.Chosen[i]).ToArray(), device: policy.Device),
                tensor(picks.Select(i => reference.Rejected[i]).ToArray(), device: policy.Device), options.Beta, options.Loss, options.NllCoefficient);
            var difference = terms.ChosenRewards - terms.RejectedRewards;
            var extra = new Dictionary<string, double>
            {
                ["reward_margin"] = difference.mean().item<float>(), ["reward_accuracy"] = difference.gt(0).to(ScalarType.Float32).mean().item<float>(),
            };
            return (terms.Loss, extra);
        }, progress, cancellation));
        return new DpoResult(options.Training.Steps, fit, first, last);
    }

    /// <summary>Preference metrics of <paramref name="policy"/> on held-out pairs against <paramref name="reference"/> (null: rewards are 0).</summary>
    public static PreferenceMetrics Evaluate(LlamaModel policy, LlamaModel? reference, ChatEncoder encoder, IReadOnlyList<PreferencePair> pairs, double beta, int batchSize = 16) =>
        Compare(Score(policy, encoder, pairs, batchSize), reference is null ? null : Score(reference, encoder, pairs, batchSize), beta);

    /// <summary><paramref name="model"/>'s log-probs of <paramref name="pairs"/>, for <see cref="Compare"/>.</summary>
    public static PreferenceScores Score(LlamaModel model, ChatEncoder encoder, IReadOnlyList<PreferencePair> pairs, int batchSize = 16)
    {
        var (fitted, _) = ContextFit.Preferences(pairs.Select(encoder.Encode), model.Config.MaxPositionEmbeddings, OverlongPolicy.Truncate);
        return new PreferenceScores(fitted.Select(p => p.Task).ToList(), ReferenceLogProbs.Compute(model, fitted, encoder.Tokenizer, batchSize));
    }

    /// <summary>Preference metrics of the model behind <paramref name="own"/> against the one behind <paramref name="reference"/> (null: rewards are 0).</summary>
    /// <exception cref="ArgumentException">The two were scored on different pairs.</exception>
    public static PreferenceMetrics Compare(PreferenceScores own, PreferenceScores? reference, double beta)
    {
        int n = own.Tasks.Count;
        if (n == 0) return new PreferenceMetrics(0, double.NaN, double.NaN, double.NaN, double.NaN);
        if (reference is not null && !reference.Tasks.SequenceEqual(own.Tasks))
            throw new ArgumentException($"the reference was scored on other pairs ({reference.Tasks.Count}, not {n})", nameof(reference));
        var (mine, baseline) = (own.LogProbs, (reference ?? own).LogProbs);
        var rewardMargins = Enumerable.Range(0, n).Select(i => beta * ((mine.Chosen[i] - baseline.Chosen[i]) - (mine.Rejected[i] - baseline.Rejected[i]))).ToArray();
        var logProbMargins = Enumerable.Range(0, n).Select(i => (double)mine.ChosenReply[i] - mine.RejectedReply[i]).ToArray();
        bool RankedRight(int i) => logProbMargins[i] > 0;
        var byTask = Enumerable.Range(0, n).GroupBy(i => own.Tasks[i]).ToDictionary(g => g.Key, g => g.Count(RankedRight) / (double)g.Count());
        bool ReferenceRankedRight(int i) => baseline.ChosenReply[i] > baseline.RejectedReply[i];
        int gained = Enumerable.Range(0, n).Count(i => RankedRight(i) && !ReferenceRankedRight(i));
        int lost = Enumerable.Range(0, n).Count(i => !RankedRight(i) && ReferenceRankedRight(i));
        return new PreferenceMetrics(n, rewardMargins.Count(m => m > 0) / (double)n, rewardMargins.Average(),
            Enumerable.Range(0, n).Count(RankedRight) / (double)n, logProbMargins.Average(), byTask, gained, lost);
    }
}
