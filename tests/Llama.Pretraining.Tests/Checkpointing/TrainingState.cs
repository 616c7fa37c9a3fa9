using Llama.Core.Config;
using Llama.Core.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Llama.Pretraining.Tests.Checkpointing;

/// <summary>
/// What a trainer would checkpoint, made of real tensors: a tiny model with seeded weights and Adam-like buffers
/// (two per parameter, one in BF16 to check dtypes survive, plus a 0-dimensional step counter).
/// </summary>
internal sealed class TrainingState : IDisposable
{
    public static readonly LlamaConfig TinyConfig = LlamaPresets.Get("smoke") with
    {
        VocabSize = 512, HiddenSize = 32, IntermediateSize = 64, NumHiddenLayers = 2, NumAttentionHeads = 4,
        NumKeyValueHeads = 2, HeadDim = 8, MaxPositionEmbeddings = 64, BosTokenId = 256, EosTokenId = [257],
    };

    public TrainingState(long seed)
    {
        Model = new LlamaModel(TinyConfig);
        Model.InitializeWeights(seed);
        var generator = new Generator((ulong)seed + 1);
        var buffers = new List<KeyValuePair<string, Tensor>>();
        foreach (var (name, parameter) in Model.named_parameters())
        {
            buffers.Add(new($"exp_avg.{name}", randn(parameter.shape, generator: generator)));
            buffers.Add(new($"exp_avg_sq.{name}", rand(parameter.shape, generator: generator).to(ScalarType.BFloat16)));
        }
        buffers.Add(new("step", tensor(seed * 10, ScalarType.Int64)));
        Optimizer = buffers;
    }

    public LlamaModel Model { get; }

    public IReadOnlyList<KeyValuePair<string, Tensor>> Optimizer { get; }

    public IReadOnlyList<KeyValuePair<string, Tensor>> Weights =>
        Model.named_parameters().Select(p => new KeyValuePair<string, Tensor>(p.name, p.parameter)).ToList();

    public void Dispose()
    {
        foreach (var (_, buffer) in Optimizer) buffer.Dispose();
        Model.Dispose();
    }
}

internal static class TensorBytes
{
    /// <summary>Same dtype, shape and bytes: bit-identical, NaN payloads included.</summary>
    public static void AssertIdentical(Tensor expected, Tensor actual, string name)
    {
        Assert.Equal(expected.dtype, actual.dtype);
        Assert.Equal(expected.shape, actual.shape);
        using var expectedBytes = expected.contiguous();
        using var actualBytes = actual.contiguous();
        Assert.True(expectedBytes.bytes.SequenceEqual(actualBytes.bytes), $"tensor '{name}' differs");
    }
}
