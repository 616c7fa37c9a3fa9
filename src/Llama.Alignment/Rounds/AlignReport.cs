using System.Globalization;
using System.Text;
using System.Text.Json;
using Llama.Alignment.Dpo;
using Llama.Alignment.Evaluation;
using Llama.Alignment.RewardModel;

namespace Llama.Alignment.Rounds;

/// <summary>
/// One model's measurements: exact-match accuracy per task and preference metrics on held-out pairs, with implicit
/// rewards against the pretrained model (one reference for every row); a DPO model also against its training
/// reference, the SFT model (<see cref="PreferencesAgainstReference"/>, TRL's eval rewards).
/// </summary>
public sealed record ModelScores(string Model, IReadOnlyDictionary<string, double> Accuracy, PreferenceMetrics Preferences,
    PreferenceMetrics? PreferencesAgainstReference = null);

/// <summary>One round's numbers.</summary>
public sealed record RoundReport(int Round, ModelScores Sft, RewardAccuracy RewardModel, int RejectionPrompts, int RejectionSamples,
    int RejectionCorrect, int RejectionKept, int RejectionPairs, ModelScores Dpo, string SftFit, string DpoFit);

/// <summary>The whole run: the base model's numbers, then each round's, then the final model.</summary>
public sealed record AlignReport(ModelScores Base, IReadOnlyList<RoundReport> Rounds, string FinalModel, IReadOnlyDictionary<string, int> HeldOutPrompts, int HeldOutPairs)
{
    public string ToJson() => JsonSerializer.Serialize(this, AlignConfig.Json);

    public string ToMarkdown()
    {
        var inv = CultureInfo.InvariantCulture;
        var tasks = Base.Accuracy.Keys.ToList();
        var sb = new StringBuilder("# Alignment report\n\n");
        sb.Append(inv, $"Held-out prompts per task: {string.Join(", ", HeldOutPrompts.Select(p => $"{p.Key} {p.Value}"))}; held-out preference pairs: {HeldOutPairs}.\n\n");
        sb.Append("## Exact-match accuracy on held-out prompts (greedy, chat template)\n\n| model | ").Append(string.Join(" | ", tasks)).Append(" |\n|---|")
          .Append(string.Concat(tasks.Select(_ => "---:|"))).Append('\n');
        void Row(ModelScores s) => sb.Append("| ").Append(s.Model).Append(" | ").Append(string.Join(" | ", tasks.Select(t => s.Accuracy.TryGetValue(t, out var a) ? a.ToString("P1", inv) : "-"))).Append(" |\n");
        Row(Base);
        foreach (var r in Rounds) { Row(r.Sft); Row(r.Dpo); }
        sb.Append("\n## Preferences on held-out pairs\n\nPreference accuracy: how often the model's own log-probability of the whole chosen reply (eot included) ")
          .Append("exceeds the rejected one's; log-prob margin: the mean difference. Reward: DPO's implicit reward β·(log π − log π_ref) over the reply content, ")
          .Append("chosen minus rejected (TRL's rewards/accuracies and rewards/margins), with the pretrained model as the reference of every row.\n\n")
          .Append("| model | preference accuracy | log-prob margin | reward accuracy | reward margin |\n|---|---:|---:|---:|---:|\n");
        sb.Append(inv, $"| {Base.Model} | {Base.Preferences.LogProbAccuracy:P1} | {Base.Preferences.LogProbMargin:0.00} | (reference) | (reference) |\n");
        void PreferenceRow(ModelScores s) => sb.Append(inv, $"| {s.Model} | {s.Preferences.LogProbAccuracy:P1} | {s.Preferences.LogProbMargin:0.00} | {s.Preferences.RewardAccuracy:P1} | {s.Preferences.RewardMargin:0.000} |\n");
        foreach (var r in Rounds) { PreferenceRow(r.Sft); PreferenceRow(r.Dpo); }
        var pairTasks = Base.Preferences.LogProbAccuracyByTask?.Keys.ToList() ?? [];
        if (pairTasks.Count > 0)
        {
            sb.Append("\nPreference accuracy per task:\n\n| model | ").Append(string.Join(" | ", pairTasks)).Append(" |\n|---|")
              .Append(string.Concat(pairTasks.Select(_ => "---:|"))).Append('\n');
            void TaskRow(ModelScores s) => sb.Append("| ").Append(s.Model).Append(" | ")
                .Append(string.Join(" | ", pairTasks.Select(t => s.Preferences.LogProbAccuracyByTask?.TryGetValue(t, out var a) == true ? a.ToString("P1", inv) : "-"))).Append(" |\n");
            TaskRow(Base);
            foreach (var r in Rounds) { TaskRow(r.Sft); TaskRow(r.Dpo); }
        }
        foreach (var r in Rounds.Where(r => r.Dpo.PreferencesAgainstReference is not null))
        {
            var trl = r.Dpo.PreferencesAgainstReference!;
            sb.Append(inv, $"\nRound {r.Round} DPO against its training reference, the SFT model (TRL's eval rewards): reward accuracy ")
              .Append(inv, $"{trl.RewardAccuracy:P1}, margin {trl.RewardMargin:0.000}. Pairs DPO ranks right and SFT wrong: {trl.RankingsGained}; ")
              .Append(inv, $"the reverse: {trl.RankingsLost} (two-sided sign test p {PValue(SignTest.TwoSidedP(trl.RankingsGained, trl.RankingsLost))}).\n");
        }
        sb.Append("\n## Reward model and rejection sampling\n\n| round | RM held-out accuracy | RM mean margin | RS prompts | samples | correct samples | kept | pairs |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        foreach (var r in Rounds)
            sb.Append(inv, $"| {r.Round} | {r.RewardModel.Accuracy:P1} | {r.RewardModel.MeanMargin:0.000} | {r.RejectionPrompts} | {r.RejectionSamples} | {r.RejectionCorrect} | {r.RejectionKept} | {r.RejectionPairs} |\n");
        sb.Append("\nData fit to the context: ").Append(string.Join("; ", Rounds.Select(r => $"round {r.Round} SFT {r.SftFit}, DPO {r.DpoFit}"))).Append(".\n");
        sb.Append("\nFinal model: `").Append(FinalModel).Append("`\n");
        return sb.ToString();
    }

    private static string PValue(double p) => p < 1e-4 ? "< 0.0001" : "= " + p.ToString("0.####", CultureInfo.InvariantCulture);
}
