using Llama.Alignment.Data;
using Llama.Core.Model;
using Llama.Core.Tokenization;
using static TorchSharp.torch;

namespace Llama.Alignment.Dpo;

/// <summary>
/// A frozen model's summed log-probs of each pair's chosen and rejected reply: <see cref="Chosen"/> and
/// <see cref="Rejected"/> over the reply content (the tokens DPO's preference term sees), <see cref="ChosenReply"/> and
/// <see cref="RejectedReply"/> over the whole reply including its eot (the likelihood of the reply as a finished
/// answer: "370" then stop against "370" "00" then stop differ only in the eot, which the content sums leave out).
/// DPO computes the reference's once before training (the reference never changes, so recomputing it every step
/// would double the cost of DPO).
/// </summary>
public sealed record ReferenceLogProbs(float[] Chosen, float[] Rejected, float[] ChosenReply, float[] RejectedReply)
{
    public static ReferenceLogProbs Compute(LlamaModel reference, IReadOnlyList<EncodedPreference> pairs, Llama3Tokenizer tokenizer, int batchSize = 16)
    {
        using var noGrad = no_grad();
        reference.eval();
        var content = (Chosen: new List<float>(), Rejected: new List<float>());
        var reply = (Chosen: new List<float>(), Rejected: new List<float>());
        foreach (var chunk in pairs.Chunk(batchSize))
        {
            using var scope = NewDisposeScope();
            using var batch = PreferenceBatch.Create(chunk, tokenizer, reference.Device);
            var logProbs = batch.LogProbs(reference);
            foreach (var (mask, sums) in new[] { (batch.ContentMask, content), (batch.ReplyMask, reply) })
            {
                var summed = (logProbs * mask.to(ScalarType.Float32)).sum(1).cpu();
                sums.Chosen.AddRange(batch.Chosen(summed).data<float>().ToArray());
                sums.Rejected.AddRange(batch.Rejected(summed).data<float>().ToArray());
            }
        }
        return new ReferenceLogProbs([.. content.Chosen], [.. content.Rejected], [.. reply.Chosen], [.. reply.Rejected]);
    }
}
