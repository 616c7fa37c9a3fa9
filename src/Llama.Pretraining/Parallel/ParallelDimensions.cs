using Llama.Core.Config;

namespace Llama.Pretraining.Parallel;

/// <summary>Pipeline schedules: 1F1B (PipeDream-Flush, bounded activation memory) and GPipe (all forwards, then all backwards).</summary>
public enum PipelineSchedule { OneForwardOneBackward, GPipe }

/// <summary>
/// The 4D layout of a run: tensor (TP), context (CP), pipeline (PP) and data (DP) parallel degrees, their product
/// being the world size; <see cref="ShardedDataParallel"/> picks FSDP/ZeRO-3-style sharding (default) or plain
/// replicated DP.
/// </summary>
public sealed record ParallelDimensions(int Tp = 1, int Cp = 1, int Pp = 1, int Dp = 1)
{
    public bool ShardedDataParallel { get; init; } = true;
    public PipelineSchedule Schedule { get; init; } = PipelineSchedule.OneForwardOneBackward;

    public int WorldSize => Tp * Cp * Pp * Dp;

    public static readonly ParallelDimensions Single = new();

    public override string ToString() => $"tp{Tp}-cp{Cp}-pp{Pp}-dp{Dp}{(ShardedDataParallel ? "" : "-replicated")}{(Schedule == PipelineSchedule.GPipe ? "-gpipe" : "")}";

    /// <summary>Checks the layout against the world and the model; every message says which number is wrong.</summary>
    /// <exception cref="ParallelLayoutException">The layout cannot split this model or this world.</exception>
    public void Validate(int worldSize, LlamaConfig model)
    {
        foreach (var (name, value) in new[] { ("tp", Tp), ("cp", Cp), ("pp", Pp), ("dp", Dp) })
            if (value < 1) throw new ParallelLayoutException($"--{name} ({value}) must be at least 1");
        if (WorldSize != worldSize)
            throw new ParallelLayoutException($"the mesh tp {Tp} x cp {Cp} x pp {Pp} x dp {Dp} = {WorldSize} ranks does not match the world size {worldSize}");
        Divides(Tp, model.NumAttentionHeads, "tp", "num_attention_heads");
        Divides(Tp, model.EffectiveKeyValueHeads, "tp", "num_key_value_heads");
        Divides(Tp, model.IntermediateSize, "tp", "intermediate_size");
        Divides(Tp, model.VocabSize, "tp", "vocab_size");
        Divides(Pp, model.NumHiddenLayers, "pp", "num_hidden_layers");
        if (Pp > 1 && model.TieWordEmbeddings)
            throw new ParallelLayoutException("pp > 1 with tied word embeddings is not supported: the first and last stages would share the embedding");
        if (model.AttentionBias || model.MlpBias)
            throw new ParallelLayoutException("tensor parallelism here assumes Llama's bias-free projections (attention_bias and mlp_bias false)");
    }

    /// <summary>Checks a batch against the layout: sequences over DP and micro-batches, the sequence over 2 x CP chunks.</summary>
    public void ValidateBatch(int sequences, int sequenceLength, int microBatchSequences)
    {
        if (sequences % Dp != 0) throw new ParallelLayoutException($"the batch's {sequences} sequences do not divide over dp {Dp}");
        if (sequences / Dp % Math.Min(microBatchSequences, sequences / Dp) != 0 && Pp > 1)
            throw new ParallelLayoutException($"each data-parallel rank's {sequences / Dp} sequences do not divide into micro-batches of {microBatchSequences} (pp needs equal micro-batches)");
        if (sequenceLength % (2 * Cp) != 0)
            throw new ParallelLayoutException($"the sequence length {sequenceLength} does not divide into 2 x cp = {2 * Cp} chunks (context parallelism balances the causal mask with 2 chunks per rank)");
    }

    private static void Divides(int degree, int count, string flag, string field)
    {
        if (count % degree != 0) throw new ParallelLayoutException($"{field} ({count}) is not divisible by {flag} ({degree})");
    }
}

/// <summary>A parallel layout that does not fit the world, the model or the batch.</summary>
public sealed class ParallelLayoutException(string message) : ArgumentException(message);
