using Llama.Alignment.Dpo;
using Llama.Alignment.Evaluation;
using Llama.Alignment.RejectionSampling;
using Llama.Alignment.RewardModel;
using Llama.Alignment.Rounds;
using Llama.Alignment.Sft;

namespace Llama.Alignment.Stages;

/// <summary>
/// What <c>llama sft|rm|rs|dpo</c> ask for: one stage from the model folder <paramref name="Model"/> into
/// <paramref name="Output"/>, with the data and settings of <paramref name="Config"/>.
/// </summary>
/// <param name="RewardModel">Rejection sampling only: a reward model folder (<c>llama rm</c>) to score and break ties.</param>
public sealed record StageRequest(string Model, AlignConfig Config, string Output, string Device = "cpu", string? Name = null, string? RewardModel = null);

/// <summary>An SFT model, how training went and its held-out task accuracy; the artifact when recorded.</summary>
public sealed record SftOutcome(string Model, SftResult Training, IReadOnlyList<TaskScore> HeldOut, Guid? ArtifactId);

/// <summary>A reward model, how training went and its held-out pair accuracy; the artifact when recorded.</summary>
public sealed record RewardModelOutcome(string Model, RewardResult Training, RewardAccuracy HeldOut, Guid? ArtifactId);

/// <summary>The folder with <c>sft.jsonl</c> and <c>pairs.jsonl</c>, what sampling kept; the dataset artifact when recorded.</summary>
public sealed record RejectionSamplingOutcome(string Folder, RejectionSamplingResult Sampling, Guid? ArtifactId);

/// <summary>A DPO model, how training went, its held-out preference metrics and task accuracy; the artifact when recorded.</summary>
public sealed record DpoOutcome(string Model, DpoResult Training, PreferenceMetrics HeldOut, PreferenceMetrics HeldOutBefore, IReadOnlyList<TaskScore> Accuracy, Guid? ArtifactId);
