using System.Globalization;
using System.Text;
using System.Text.Json;
using Llama.Alignment.Dpo;
using Llama.Alignment.Evaluation;
using Llama.Alignment.RewardModel;

namespace Llama.Alignment.Rounds;

/// <summary>One model's measurements: exact-match accuracy per task and preference metrics on held-out pairs.</summary>
public sealed record ModelScores(string Model, IReadOnlyDictionary<string, double> Accuracy, PreferenceMetrics Preferences);

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
        sb.Append("\n## Preferences on held-out pairs\n\nImplicit reward β·(log π − log π_ref) with the round's SFT model as reference (zero for the reference itself); ")
          .Append("log-prob columns compare the model's own summed log-probabilities of the chosen and rejected replies.\n\n")
          .Append("| model | reward accuracy | reward margin | log-prob accuracy | log-prob margin |\n|---|---:|---:|---:|---:|\n");
        void PreferenceRow(ModelScores s) => sb.Append(inv, $"| {s.Model} | {s.Preferences.RewardAccuracy:P1} | {s.Preferences.RewardMargin:0.000} | {s.Preferences.LogProbAccuracy:P1} | {s.Preferences.LogProbMargin:0.00} |\n");
        PreferenceRow(Base);
        foreach (var r in Rounds) { PreferenceRow(r.Sft); PreferenceRow(r.Dpo); }
        sb.Append("\n## Reward model and rejection sampling\n\n| round | RM held-out accuracy | RM mean margin | RS prompts | samples | correct samples | kept | pairs |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        foreach (var r in Rounds)
            sb.Append(inv, $"| {r.Round} | {r.RewardModel.Accuracy:P1} | {r.RewardModel.MeanMargin:0.000} | {r.RejectionPrompts} | {r.RejectionSamples} | {r.RejectionCorrect} | {r.RejectionKept} | {r.RejectionPairs} |\n");
        sb.Append("\nData fit to the context: ").Append(string.Join("; ", Rounds.Select(r => $"round {r.Round} SFT {r.SftFit}, DPO {r.DpoFit}"))).Append(".\n");
        sb.Append("\nFinal model: `").Append(FinalModel).Append("`\n");
        return sb.ToString();
    }
}
