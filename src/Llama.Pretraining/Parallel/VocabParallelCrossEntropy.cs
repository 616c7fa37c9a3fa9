using Llama.Pretraining.Data;
using Llama.Pretraining.Parallel.ProcessGroups;
using static TorchSharp.torch;
using static TorchSharp.torch.autograd;

namespace Llama.Pretraining.Parallel;

/// <summary>
/// Cross-entropy over logits whose vocabulary is split across tensor-parallel ranks (Megatron-LM's
/// vocab_parallel_cross_entropy): each rank holds columns [start, start + V/tp); the maximum, the sum of
/// exponentials and the target's logit are combined with three small all-reduces, so the full [N, V] logits are
/// never gathered. Backward is local: softmax minus the one-hot target, on this rank's columns.
/// </summary>
public static class VocabParallelCrossEntropy
{
    /// <summary>Per-token losses [N] (0 where the target is <see cref="Batch.IgnoreIndex"/>) for local logits [N, V/tp] and global target ids [N].</summary>
    public static Tensor PerToken(Tensor localLogits, Tensor targets, long vocabStart, IProcessGroup tp) =>
        Function.apply(localLogits, targets, vocabStart, tp);

    private sealed class Function : SingleTensorFunction<Function>
    {
        public override string Name => "VocabParallelCrossEntropy";

        public override Tensor forward(AutogradContext ctx, params object[] vars)
        {
            var logits = ((Tensor)vars[0]).to(ScalarType.Float32);
            var targets = (Tensor)vars[1];
            long start = (long)vars[2];
            var tp = (IProcessGroup)vars[3];
            long width = logits.shape[1];

            var max = logits.amax([1], keepdim: true).contiguous();
            tp.AllReduce(max, ReduceOperation.Max);
            var shifted = logits - max;
            var exp = shifted.exp();
            var sumExp = exp.sum(1).contiguous();
            tp.AllReduce(sumExp);

            var local = targets - start;
            var here = local.ge(0).logical_and(local.lt(width));
            var index = where(here, local, zeros_like(local)).unsqueeze(1);
            var targetLogit = shifted.gather(1, index).squeeze(1).mul(here.to(ScalarType.Float32)).contiguous();
            tp.AllReduce(targetLogit);

            var counted = targets.ne(Batch.IgnoreIndex).to(ScalarType.Float32);
            var loss = (sumExp.log() - targetLogit) * counted;
            ctx.save_for_backward([exp.div(sumExp.unsqueeze(1)), index, here, counted]);
            return loss;
        }

        public override List<Tensor> backward(AutogradContext ctx, Tensor grad_output)
        {
            var saved = ctx.get_saved_variables();
            var (softmax, index, here, counted) = (saved[0], saved[1], saved[2], saved[3]);
            var grad = softmax.clone();
            grad.scatter_add_(1, index, here.to(ScalarType.Float32).neg().unsqueeze(1));
            grad.mul_((grad_output * counted).unsqueeze(1));
            return [grad, null!, null!, null!];
        }
    }
}
