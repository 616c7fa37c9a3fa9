using Llama.Alignment.Data;
using Llama.Core.Model;
using Llama.Core.Tokenization;
using static TorchSharp.torch;

namespace Llama.Alignment.Dpo;

/// <summary>
/// The frozen reference model's summed content log-probs of each pair's chosen and rejected reply, computed once
/// before training (the reference never changes, so recomputing it every step would double the cost of DPO).
/// </summary>
public sealed record ReferenceLogProbs(float[] Chosen, float[] Rejected)
{
    public static ReferenceLogProbs Compute(LlamaModel reference, IReadOnlyList<EncodedPreference> pairs, Llama3Tokenizer tokenizer, int batchSize = 16)
    {
        using var noGrad = no_grad();
        reference.eval();
        var chosen = new List<float>();
        var rejected = new List<float>();
        foreach (var chunk in pairs.Chunk(batchSize))
        {
            using var scope = NewDisposeScope();
            using var batch = PreferenceBatch.Create(chunk, tokenizer, reference.Device);
            var sums = (batch.LogProbs(reference) * batch.ContentMask.to(ScalarType.Float32)).sum(1).cpu();
            chosen.AddRange(batch.Chosen(sums).data<float>().ToArray());
            rejected.AddRange(batch.Rejected(sums).data<float>().ToArray());
        }
        return new ReferenceLogProbs([.. chosen], [.. rejected]);
    }
}
