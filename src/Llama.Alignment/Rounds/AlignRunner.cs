using Llama.Alignment.Data;
using Llama.Alignment.Dpo;
using Llama.Alignment.Evaluation;
using Llama.Alignment.RejectionSampling;
using Llama.Alignment.RewardModel;
using Llama.Alignment.Sft;
using Llama.Alignment.Training;
using Llama.Core;
using Llama.Core.Devices;
using Llama.Core.Model;
using Llama.Core.Tokenization;
using Llama.Core.Training;
using Llama.Platform;
using static TorchSharp.torch;

namespace Llama.Alignment.Rounds;

/// <summary>What <c>llama align</c> asks for.</summary>
public sealed record AlignRequest(string BaseModel, AlignConfig Config, string Output, string Device = "cpu", string? Name = null);

/// <summary>What an alignment run produced.</summary>
public sealed record AlignOutcome(string FinalModel, AlignReport Report, Guid? FinalModelArtifactId);

/// <summary>Where a run is: stage, step of total, and what happened.</summary>
public sealed record AlignProgress(string Stage, int Step, int Total, string Detail);

/// <summary>
/// The Llama 3 post-training loop (section 4.1, figure 7), N rounds of: SFT of the pretrained checkpoint on the SFT
/// data (synthetic tasks, the user's data, and every earlier round's rejection-sampled replies); a reward model on top
/// of the pretrained checkpoint; rejection sampling from the SFT model (K samples per prompt, the verifier or the
/// reward model picks the best); DPO of the SFT model on the preference pairs (synthetic correct-vs-incorrect plus the
/// sampled best-vs-worst). Every model is measured on held-out prompts and pairs; every step is a recorded Run.
/// </summary>
public static class AlignRunner
{
    public static async Task<AlignOutcome> RunAsync(AlignRequest request, PlatformSettings? platform, IProgress<AlignProgress>? progress = null,
        CancellationToken cancellation = default)
    {
        var config = request.Config;
        config.Validate();
        var device = DeviceSpec.Parse(request.Device);
        if (!Directory.Exists(request.BaseModel)) throw new DirectoryNotFoundException($"{request.BaseModel}: base model directory not found");
        var tokenizer = Llama3Tokenizer.FromDirectory(request.BaseModel);
        var encoder = new ChatEncoder(tokenizer);
        var data = AlignData.Create(config);
        Directory.CreateDirectory(request.Output);
        var recorder = platform is null ? null : await AlignRecorder.OpenAsync(platform, cancellation);
        Guid? baseId = recorder is null ? null : await recorder.RegisterInputAsync("model", request.BaseModel, cancellation);
        List<(Guid Id, string Role)> pretrainingText = recorder is null ? [] : await recorder.PretrainingTextInputAsync(config.Sft, cancellation);
        string configJson = config.ToJson();
        File.WriteAllText(Path.Combine(request.Output, "config.json"), configJson);

        void Say(string stage, string detail) => progress?.Report(new AlignProgress(stage, 0, 0, detail));
        var steps = new Progress(progress);

        Say("eval", "measuring the base model");
        ModelScores baseScores;
        PreferenceScores pretrainedHeldOut;
        using (var baseModel = LlamaDirectory.Load(request.BaseModel, device))
            (baseScores, pretrainedHeldOut) = Measure("base", baseModel, null, null, encoder, data, config, cancellation);

        var rounds = new List<RoundReport>();
        var sampledExamples = new List<ChatExample>();
        var sampledPairs = new List<PreferencePair>();
        var dpoModels = new List<(string Folder, Guid? Id)>();
        Guid? lastModelId = null;
        for (int round = 1; round <= config.Rounds; round++)
        {
            string folder = Path.Combine(request.Output, $"round-{round}");
            string sftDir = Path.Combine(folder, "sft"), rmDir = Path.Combine(folder, "rm"), rsDir = Path.Combine(folder, "rs"), dpoDir = Path.Combine(folder, "dpo");
            var inputs = baseId is { } b ? new List<(Guid, string)> { (b, "base-model") } : [];

            // SFT of the pretrained checkpoint on everything gathered so far.
            SftResult? sft = null;
            ModelScores? sftScores = null;
            PreferenceScores? sftHeldOut = null;
            var sftId = await AlignRecorder.RunStepAsync(recorder, "alignment.sft", $"round {round} sft", configJson, [.. inputs, .. pretrainingText], "model", async () =>
            {
                using var model = LlamaDirectory.Load(request.BaseModel, device);
                sft = SftTrainer.Train(model, encoder, [.. data.SftExamples, .. sampledExamples], config.Sft, steps, cancellation);
                LlamaDirectory.Save(model, sftDir, tokenizer);
                (sftScores, sftHeldOut) = Measure($"round {round} SFT", model, pretrainedHeldOut, null, encoder, data, config, cancellation);
                return (sftDir, Metrics(sftScores, ("final_loss", sft.FinalLoss)));
            }, cancellation);

            // The reward model, also on top of the pretrained checkpoint (section 4.1.2).
            RewardAccuracy rmAccuracy = new(0, double.NaN, double.NaN);
            var rmId = await AlignRecorder.RunStepAsync(recorder, "alignment.rm", $"round {round} reward model", configJson, inputs, "reward-model", async () =>
            {
                using var rm = RewardModel.RewardModel.FromLanguageModel(request.BaseModel, config.Seed + round, device);
                RewardTrainer.Train(rm, encoder, [.. data.TrainPairs, .. sampledPairs], config.Reward, steps, cancellation);
                rmAccuracy = RewardTrainer.Evaluate(rm, encoder, data.HeldOutPairs);
                rm.Save(rmDir, tokenizer);
                return (rmDir, new Dictionary<string, double> { ["heldout_accuracy"] = rmAccuracy.Accuracy, ["heldout_margin"] = rmAccuracy.MeanMargin });
            }, cancellation);

            // Rejection sampling from the SFT model, judged by the verifiers and the reward model.
            RejectionSamplingResult? rs = null;
            var rsInputs = Ids((sftId, "policy"), (rmId, "reward-model"));
            var rsId = await AlignRecorder.RunStepAsync(recorder, "alignment.rs", $"round {round} rejection sampling", configJson, rsInputs, "dataset", async () =>
            {
                using var policy = LlamaDirectory.Load(sftDir, device);
                using var rm = RewardModel.RewardModel.Load(rmDir, device);
                var prompts = data.RejectionPrompts(config, round);
                var promptProgress = new SynchronousProgress<(int Done, int Total)>(p => progress?.Report(new AlignProgress("rs", p.Done, p.Total, "prompts sampled")));
                rs = RejectionSampler.Run(policy, rm, encoder, prompts, config.RejectionSampling with { Seed = config.RejectionSampling.Seed + round }, promptProgress, cancellation);
                Directory.CreateDirectory(rsDir);
                if (rs.Kept.Count > 0) ChatJsonl.WriteConversations(Path.Combine(rsDir, "sft.jsonl"), rs.Kept);
                if (rs.Pairs.Count > 0) ChatJsonl.WritePreferences(Path.Combine(rsDir, "pairs.jsonl"), rs.Pairs);
                return (rsDir, new Dictionary<string, double> { ["samples"] = rs.Samples, ["correct_samples"] = rs.CorrectSamples, ["kept"] = rs.Kept.Count, ["pairs"] = rs.Pairs.Count });
            }, cancellation);
            sampledExamples.AddRange(rs!.Kept);
            sampledPairs.AddRange(rs.Pairs);

            // DPO of the SFT model; the SFT model is the frozen reference.
            DpoResult? dpo = null;
            ModelScores? dpoScores = null;
            var dpoId = await AlignRecorder.RunStepAsync(recorder, "alignment.dpo", $"round {round} dpo", configJson, Ids((sftId, "policy"), (rsId, "preferences")), "model", async () =>
            {
                using var policy = LlamaDirectory.Load(sftDir, device);
                dpo = DpoTrainer.Train(policy, encoder, [.. data.TrainPairs, .. sampledPairs], config.Dpo, steps, cancellation);
                LlamaDirectory.Save(policy, dpoDir, tokenizer);
                (dpoScores, _) = Measure($"round {round} DPO", policy, pretrainedHeldOut, sftHeldOut, encoder, data, config, cancellation);
                return (dpoDir, Metrics(dpoScores, ("final_loss", dpo.FinalLoss)));
            }, cancellation);
            dpoModels.Add((dpoDir, dpoId));
            lastModelId = dpoId;
            rounds.Add(new RoundReport(round, sftScores!, rmAccuracy, rs.Prompts, rs.Samples, rs.CorrectSamples, rs.Kept.Count, rs.Pairs.Count,
                dpoScores!, sft!.Fit + (sft.PretrainingText is { } text ? $", plus pretraining text: {text}" : ""), dpo!.Fit.ToString()));
            Say("round", $"round {round} done");
        }

        string final = dpoModels[^1].Folder;
        if (config.AverageCheckpoints && dpoModels.Count > 1)
        {
            final = Path.Combine(request.Output, "final");
            string averagedDir = final;
            lastModelId = await AlignRecorder.RunStepAsync(recorder, "alignment.average", "average of the DPO models", configJson,
                Ids([.. dpoModels.Select(m => (m.Id, "averaged-from"))]), "model", () =>
                {
                    using var averaged = AverageModels(dpoModels.Select(m => m.Folder).ToList(), device);
                    LlamaDirectory.Save(averaged, averagedDir, tokenizer);
                    return Task.FromResult((averagedDir, new Dictionary<string, double> { ["models"] = dpoModels.Count }));
                }, cancellation);
        }
        var report = new AlignReport(baseScores, rounds, Path.GetFullPath(final),
            data.HeldOutPrompts.Where(p => p.HasVerifier).GroupBy(p => p.Task).ToDictionary(g => g.Key, g => g.Count()), data.HeldOutPairs.Count);
        File.WriteAllText(Path.Combine(request.Output, "report.json"), report.ToJson());
        File.WriteAllText(Path.Combine(request.Output, "report.md"), report.ToMarkdown());
        return new AlignOutcome(Path.GetFullPath(final), report, lastModelId);
    }

    /// <summary>
    /// Accuracy on the held-out prompts and preference metrics on the held-out pairs. Implicit rewards are measured
    /// against <paramref name="pretrained"/>'s scores for every model (null for the pretrained model itself), so the
    /// base, SFT and DPO rows compare; a DPO model is also measured against <paramref name="dpoReference"/>'s, its
    /// training reference (TRL's eval rewards). Returns the model's own held-out scores too: each model is scored once
    /// and serves as the reference of later rows.
    /// </summary>
    internal static (ModelScores Scores, PreferenceScores HeldOut) Measure(string name, LlamaModel model, PreferenceScores? pretrained,
        PreferenceScores? dpoReference, ChatEncoder encoder, AlignData data, AlignConfig config, CancellationToken cancellation)
    {
        var accuracy = TaskAccuracy.Measure(model, encoder, data.HeldOutPrompts, config.EvalMaxNewTokens, cancellation: cancellation)
            .ToDictionary(s => s.Task, s => s.Accuracy);
        var own = DpoTrainer.Score(model, encoder, data.HeldOutPairs);
        var preferences = DpoTrainer.Compare(own, pretrained, config.Dpo.Beta);
        var againstReference = dpoReference is null ? null : DpoTrainer.Compare(own, dpoReference, config.Dpo.Beta);
        return (new ModelScores(name, accuracy, preferences, againstReference), own);
    }

    /// <summary>The Polyak average of several saved models of one shape (checkpoint averaging across rounds).</summary>
    private static LlamaModel AverageModels(IReadOnlyList<string> directories, Device device)
    {
        using var averager = new PolyakAverager();
        foreach (var directory in directories)
        {
            using var model = LlamaDirectory.Load(directory, CPU);
            averager.Add(model.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter));
        }
        var result = LlamaDirectory.Load(directories[^1], device);
        var mean = averager.Average();
        using (no_grad())
            foreach (var (name, parameter) in result.named_parameters()) parameter.copy_(mean[name]);
        foreach (var t in mean.Values) t.Dispose();
        return result;
    }

    /// <summary>The metrics a step records for a model: held-out accuracy per task and preference metrics, plus <paramref name="extra"/>.</summary>
    internal static Dictionary<string, double> Metrics(ModelScores scores, params (string Name, double Value)[] extra)
    {
        var metrics = scores.Accuracy.ToDictionary(a => $"accuracy.{a.Key}", a => a.Value);
        metrics["preference.reward_accuracy"] = scores.Preferences.RewardAccuracy;
        metrics["preference.reward_margin"] = scores.Preferences.RewardMargin;
        metrics["preference.logprob_accuracy"] = scores.Preferences.LogProbAccuracy;
        metrics["preference.logprob_margin"] = scores.Preferences.LogProbMargin;
        foreach (var (task, accuracy) in scores.Preferences.LogProbAccuracyByTask ?? new Dictionary<string, double>())
            metrics[$"preference.logprob_accuracy.{task}"] = accuracy;
        if (scores.PreferencesAgainstReference is { } trl)
        {
            metrics["preference.reward_accuracy_vs_reference"] = trl.RewardAccuracy;
            metrics["preference.reward_margin_vs_reference"] = trl.RewardMargin;
            metrics["preference.rankings_gained_vs_reference"] = trl.RankingsGained;
            metrics["preference.rankings_lost_vs_reference"] = trl.RankingsLost;
        }
        foreach (var (name, value) in extra) metrics[name] = value;
        return metrics;
    }

    private static List<(Guid, string)> Ids(params (Guid? Id, string Role)[] inputs) =>
        inputs.Where(i => i.Id is not null).Select(i => (i.Id!.Value, i.Role)).ToList();

    /// <summary>Training steps as run progress, reported on the training thread.</summary>
    private sealed class Progress(IProgress<AlignProgress>? target) : IProgress<TrainingStep>
    {
        public void Report(TrainingStep s) => target?.Report(new AlignProgress(s.Stage, s.Step, s.TotalSteps, $"loss {s.Loss:0.000}"));
    }
}
