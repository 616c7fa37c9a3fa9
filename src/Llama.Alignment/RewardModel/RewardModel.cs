using System.Text.Json;
using Llama.Core.Checkpoints;
using Llama.Core.Config;
using Llama.Core.Devices;
using Llama.Core.Model;
using Llama.Core.Tokenization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Llama.Alignment.RewardModel;

/// <summary>
/// A reward model: the Llama decoder with a scalar head on the last token's hidden state, transformers'
/// <c>LlamaForSequenceClassification</c> with one label (parameters <c>model.*</c> and <c>score.weight</c>, no bias),
/// so a saved reward model loads there too. Llama 3 trains it "on top of the pre-trained checkpoint" (section 4.1.2).
/// </summary>
public sealed class RewardModel : nn.Module
{
    public RewardModel(LlamaConfig config, Device? device = null) : base(nameof(RewardModel))
    {
        config.Validate("config");
        Config = config;
        Device = device ?? CPU;
        Decoder = new LlamaDecoder(config, Device, ScalarType.Float32);
        Score = nn.Linear(config.HiddenSize, 1, hasBias: false, device: Device);
        register_module("model", Decoder);
        register_module("score", Score);
    }

    public LlamaConfig Config { get; }
    public Device Device { get; }
    public LlamaDecoder Decoder { get; }
    public Linear Score { get; }

    /// <summary>Rewards [B] for right-padded sequences [B, T] whose last real token is at <paramref name="lastIndex"/> [B].</summary>
    public Tensor Forward(Tensor inputIds, Tensor lastIndex)
    {
        using var scope = NewDisposeScope();
        long b = inputIds.shape[0], t = inputIds.shape[1];
        if (t > Config.MaxPositionEmbeddings) throw new ArgumentException($"{t} tokens exceed the model's context of {Config.MaxPositionEmbeddings}");
        var positions = arange(0, t, ScalarType.Int64, Device).unsqueeze(0).expand(b, t);
        var hidden = Decoder.Forward(inputIds, positions, mask: null, cache: null);               // [B, T, H]
        var index = lastIndex.to(ScalarType.Int64).view(b, 1, 1).expand(b, 1, hidden.shape[2]);
        var last = hidden.gather(1, index).squeeze(1);                                              // [B, H]
        return Score.forward(last).squeeze(-1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// A reward model initialised from a causal LM directory: the decoder's weights copied by name, the head drawn from
    /// N(0, 1/sqrt(hidden + 1)) as TRL's reward trainer initialises it.
    /// </summary>
    public static RewardModel FromLanguageModel(string directory, long seed, Device? device = null)
    {
        var config = LlamaConfig.Load(Path.Combine(directory, "config.json"));
        var model = new RewardModel(config, device);
        using var reader = HfCheckpointReader.Open(directory);
        using var noGrad = no_grad();
        foreach (var (name, parameter) in model.Decoder.named_parameters())
            reader.CopyInto("model." + name, parameter);
        using (var generator = SeededRandom.Create(seed))
            SeededRandom.FillNormal(model.Score.weight!, 0, 1 / Math.Sqrt(config.HiddenSize + 1), generator);
        return model;
    }

    public static RewardModel Load(string directory, Device? device = null)
    {
        var config = LlamaConfig.Load(Path.Combine(directory, "config.json"));
        var model = new RewardModel(config with { Architectures = ["LlamaForCausalLM"], Extra = null }, device);
        using var reader = HfCheckpointReader.Open(directory);
        using var noGrad = no_grad();
        foreach (var (name, parameter) in model.named_parameters()) reader.CopyInto(name, parameter);
        return model;
    }

    public void Save(string directory, Llama3Tokenizer? tokenizer = null)
    {
        Directory.CreateDirectory(directory);
        HfCheckpointWriter.Write(directory, named_parameters().Select(p => new KeyValuePair<string, Tensor>(p.name, p.parameter)));
        var extra = new Dictionary<string, JsonElement> { ["num_labels"] = JsonSerializer.SerializeToElement(1) };
        (Config with { Architectures = ["LlamaForSequenceClassification"], Extra = extra }).Save(directory);
        tokenizer?.Save(directory);
    }
}
