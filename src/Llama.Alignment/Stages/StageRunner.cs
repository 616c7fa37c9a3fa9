using Llama.Alignment.Data;
using Llama.Alignment.Dpo;
using Llama.Alignment.Evaluation;
using Llama.Alignment.RejectionSampling;
using Llama.Alignment.RewardModel;
using Llama.Alignment.Rounds;
using Llama.Alignment.Sft;
using Llama.Alignment.Training;
using Llama.Core;
using Llama.Core.Devices;
using Llama.Core.Tokenization;
using Llama.Platform;

namespace Llama.Alignment.Stages;

/// <summary>
/// One alignment stage on its own (<c>llama sft|rm|rs|dpo</c>): the same training, data and measurements as a step of
/// <see cref="AlignRunner"/>, recorded the same way by <see cref="AlignRecorder"/> when a platform is given: a Run of
/// kind <c>alignment.sft|rm|rs|dpo</c>, the starting folders as its inputs (a published pretrained model is found by
/// its files), and the output registered with lineage to them. SFT and the reward model start from the base
/// (<c>base-model</c>); rejection sampling and DPO from a policy (<c>policy</c>, plus the <c>reward-model</c> for
/// sampling).
/// </summary>
public static class StageRunner
{
    public static async Task<SftOutcome> SftAsync(StageRequest request, PlatformSettings? platform, IProgress<TrainingStep>? progress = null,
        CancellationToken cancellation = default)
    {
        var (stage, recorder, inputs) = await OpenAsync(request, platform, "base-model", cancellation);
        if (recorder is not null) inputs.AddRange(await recorder.PretrainingTextInputAsync(request.Config.Sft, cancellation));
        SftResult? result = null;
        IReadOnlyList<TaskScore> heldOut = [];
        var id = await AlignRecorder.RunStepAsync(recorder, "alignment.sft", request.Name ?? "sft", request.Config.ToJson(), inputs, "model", async () =>
        {
            using var model = LlamaDirectory.Load(request.Model, stage.Device);
            result = SftTrainer.Train(model, stage.Encoder, stage.Data.SftExamples, request.Config.Sft, progress, cancellation);
            LlamaDirectory.Save(model, request.Output, stage.Encoder.Tokenizer);
            heldOut = TaskAccuracy.Measure(model, stage.Encoder, stage.Data.HeldOutPrompts, request.Config.EvalMaxNewTokens, cancellation: cancellation);
            var preferences = DpoTrainer.Evaluate(model, null, stage.Encoder, stage.Data.HeldOutPairs, request.Config.Dpo.Beta);
            return (request.Output, AlignRunner.Metrics(Scores("sft", heldOut, preferences), ("final_loss", result.FinalLoss)));
        }, cancellation);
        return new SftOutcome(Path.GetFullPath(request.Output), result!, heldOut, id);
    }

    public static async Task<RewardModelOutcome> RewardModelAsync(StageRequest request, PlatformSettings? platform, IProgress<TrainingStep>? progress = null,
        CancellationToken cancellation = default)
    {
        var (stage, recorder, inputs) = await OpenAsync(request, platform, "base-model", cancellation);
        RewardResult? result = null;
        RewardAccuracy? heldOut = null;
        var id = await AlignRecorder.RunStepAsync(recorder, "alignment.rm", request.Name ?? "reward model", request.Config.ToJson(), inputs, "reward-model", async () =>
        {
            using var rm = RewardModel.RewardModel.FromLanguageModel(request.Model, request.Config.Seed, stage.Device);
            result = RewardTrainer.Train(rm, stage.Encoder, stage.Data.TrainPairs, request.Config.Reward, progress, cancellation);
            rm.Save(request.Output, stage.Encoder.Tokenizer);
            heldOut = RewardTrainer.Evaluate(rm, stage.Encoder, stage.Data.HeldOutPairs);
            return (request.Output, new Dictionary<string, double> { ["heldout_accuracy"] = heldOut.Accuracy, ["heldout_margin"] = heldOut.MeanMargin });
        }, cancellation);
        return new RewardModelOutcome(Path.GetFullPath(request.Output), result!, heldOut!, id);
    }

    public static async Task<RejectionSamplingOutcome> RejectionSamplingAsync(StageRequest request, PlatformSettings? platform,
        IProgress<(int Done, int Total)>? progress = null, CancellationToken cancellation = default)
    {
        if (request.RewardModel is { } rmFolder && !Directory.Exists(rmFolder)) throw new DirectoryNotFoundException($"{rmFolder}: reward model directory not found");
        var (stage, recorder, inputs) = await OpenAsync(request, platform, "policy", cancellation);
        if (recorder is not null && request.RewardModel is { } rewardFolder)
            inputs.Add((await recorder.RegisterInputAsync("reward-model", rewardFolder, cancellation), "reward-model"));
        RejectionSamplingResult? result = null;
        var id = await AlignRecorder.RunStepAsync(recorder, "alignment.rs", request.Name ?? "rejection sampling", request.Config.ToJson(), inputs, "dataset", async () =>
        {
            using var policy = LlamaDirectory.Load(request.Model, stage.Device);
            using var rm = request.RewardModel is { } path ? RewardModel.RewardModel.Load(path, stage.Device) : null;
            result = RejectionSampler.Run(policy, rm, stage.Encoder, stage.Data.RejectionPrompts(request.Config, 1), request.Config.RejectionSampling, progress, cancellation);
            Directory.CreateDirectory(request.Output);
            ChatJsonl.WriteConversations(Path.Combine(request.Output, "sft.jsonl"), result.Kept);
            ChatJsonl.WritePreferences(Path.Combine(request.Output, "pairs.jsonl"), result.Pairs);
            return (request.Output, new Dictionary<string, double>
            {
                ["samples"] = result.Samples, ["correct_samples"] = result.CorrectSamples, ["kept"] = result.Kept.Count, ["pairs"] = result.Pairs.Count,
            });
        }, cancellation);
        return new RejectionSamplingOutcome(Path.GetFullPath(request.Output), result!, id);
    }

    /// <summary>DPO of the starting model against a frozen copy of itself (its log-probs computed once, as in a round).</summary>
    public static async Task<DpoOutcome> DpoAsync(StageRequest request, PlatformSettings? platform, IProgress<TrainingStep>? progress = null,
        CancellationToken cancellation = default)
    {
        var (stage, recorder, inputs) = await OpenAsync(request, platform, "policy", cancellation);
        DpoResult? result = null;
        PreferenceMetrics? heldOut = null, before = null;
        IReadOnlyList<TaskScore> accuracy = [];
        var id = await AlignRecorder.RunStepAsync(recorder, "alignment.dpo", request.Name ?? "dpo", request.Config.ToJson(), inputs, "model", async () =>
        {
            using var policy = LlamaDirectory.Load(request.Model, stage.Device);
            // The starting model is the frozen reference: scored before training, it needs no second copy.
            var reference = DpoTrainer.Score(policy, stage.Encoder, stage.Data.HeldOutPairs);
            before = DpoTrainer.Compare(reference, null, request.Config.Dpo.Beta);
            result = DpoTrainer.Train(policy, stage.Encoder, stage.Data.TrainPairs, request.Config.Dpo, progress, cancellation);
            LlamaDirectory.Save(policy, request.Output, stage.Encoder.Tokenizer);
            heldOut = DpoTrainer.Compare(DpoTrainer.Score(policy, stage.Encoder, stage.Data.HeldOutPairs), reference, request.Config.Dpo.Beta);
            accuracy = TaskAccuracy.Measure(policy, stage.Encoder, stage.Data.HeldOutPrompts, request.Config.EvalMaxNewTokens, cancellation: cancellation);
            return (request.Output, AlignRunner.Metrics(Scores("dpo", accuracy, heldOut), ("final_loss", result.FinalLoss)));
        }, cancellation);
        return new DpoOutcome(Path.GetFullPath(request.Output), result!, heldOut!, before!, accuracy, id);
    }

    private sealed record OpenStage(TorchSharp.torch.Device Device, ChatEncoder Encoder, AlignData Data);

    /// <summary>Checks the request, draws the data and, when recording, names the starting model as the run's input <paramref name="role"/>.</summary>
    private static async Task<(OpenStage Stage, AlignRecorder? Recorder, List<(Guid Id, string Role)> Inputs)> OpenAsync(StageRequest request, PlatformSettings? platform,
        string role, CancellationToken cancellation)
    {
        request.Config.Validate();
        if (!Directory.Exists(request.Model)) throw new DirectoryNotFoundException($"{request.Model}: model directory not found");
        var stage = new OpenStage(DeviceSpec.Parse(request.Device), new ChatEncoder(Llama3Tokenizer.FromDirectory(request.Model)), AlignData.Create(request.Config));
        var recorder = platform is null ? null : await AlignRecorder.OpenAsync(platform, cancellation);
        var inputs = new List<(Guid Id, string Role)>();
        if (recorder is not null) inputs.Add((await recorder.RegisterInputAsync("model", request.Model, cancellation), role));
        return (stage, recorder, inputs);
    }

    private static ModelScores Scores(string name, IReadOnlyList<TaskScore> accuracy, PreferenceMetrics preferences) =>
        new(name, accuracy.ToDictionary(s => s.Task, s => s.Accuracy), preferences);
}
