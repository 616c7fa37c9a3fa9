using Llama.Pretraining.Parallel.ProcessGroups;
using static TorchSharp.torch;
using static TorchSharp.torch.autograd;

namespace Llama.Pretraining.Parallel;

/// <summary>
/// Collectives inside autograd, as TorchSharp custom functions (<see cref="SingleTensorFunction{T}"/>, the analogue of
/// torch.autograd.Function). Megatron-LM's conjugate pair (Shoeybi et al., 2019, section 3): <c>f</c> is the identity
/// forward and an all-reduce backward, placed where a replicated activation enters column-parallel weights;
/// <c>g</c> is an all-reduce forward and the identity backward, placed after row-parallel weights. Backward returns
/// one entry per forward argument (null for the process group). An exception inside backward cannot cross
/// libtorch's engine: it ends the process, which for a rank whose peer died is the intended outcome.
/// </summary>
public static class CollectiveFunctions
{
    /// <summary>Megatron's f: identity forward, gradient summed over <paramref name="group"/> backward.</summary>
    public static Tensor CopyToParallelRegion(Tensor x, IProcessGroup group) => group.Size == 1 ? x : CopyToRegion.apply(x, group);

    /// <summary>Megatron's g: summed over <paramref name="group"/> forward, gradient passed through backward.</summary>
    public static Tensor ReduceFromParallelRegion(Tensor x, IProcessGroup group) => group.Size == 1 ? x : ReduceFromRegion.apply(x, group);

    /// <summary>Every rank's <paramref name="x"/> stacked in rank order ([Size, ...]); backward reduce-scatters the gradient.</summary>
    public static Tensor AllGatherStacked(Tensor x, IProcessGroup group) => group.Size == 1 ? x.unsqueeze(0) : AllGatherFunction.apply(x, group);

    private sealed class CopyToRegion : SingleTensorFunction<CopyToRegion>
    {
        public override string Name => "CopyToParallelRegion";

        public override Tensor forward(AutogradContext ctx, params object[] vars)
        {
            ctx.save_data("group", vars[1]);
            return ((Tensor)vars[0]).alias();
        }

        public override List<Tensor> backward(AutogradContext ctx, Tensor grad_output)
        {
            var grad = grad_output.contiguous().clone();
            ((IProcessGroup)ctx.get_data("group")).AllReduce(grad);
            return [grad, null!];
        }
    }

    private sealed class ReduceFromRegion : SingleTensorFunction<ReduceFromRegion>
    {
        public override string Name => "ReduceFromParallelRegion";

        public override Tensor forward(AutogradContext ctx, params object[] vars)
        {
            var sum = ((Tensor)vars[0]).contiguous().clone();
            ((IProcessGroup)vars[1]).AllReduce(sum);
            return sum;
        }

        public override List<Tensor> backward(AutogradContext ctx, Tensor grad_output) => [grad_output, null!];
    }

    private sealed class AllGatherFunction : SingleTensorFunction<AllGatherFunction>
    {
        public override string Name => "AllGatherStacked";

        public override Tensor forward(AutogradContext ctx, params object[] vars)
        {
            ctx.save_data("group", vars[1]);
            return ((IProcessGroup)vars[1]).AllGather(((Tensor)vars[0]).contiguous());
        }

        public override List<Tensor> backward(AutogradContext ctx, Tensor grad_output) =>
            [((IProcessGroup)ctx.get_data("group")).ReduceScatter(grad_output.contiguous()), null!];
    }
}
