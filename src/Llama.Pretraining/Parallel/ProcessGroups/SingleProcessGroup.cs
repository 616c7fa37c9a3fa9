using static TorchSharp.torch;

namespace Llama.Pretraining.Parallel.ProcessGroups;

/// <summary>
/// The group of one rank: every collective is the identity. Lets the parallel runner run, or resume a parallel
/// run's checkpoint, in one process without MPI.
/// </summary>
public sealed class SingleProcessGroup(string name = "world") : ProcessGroupBase(name, 0, 1, TimeSpan.FromSeconds(1))
{
    public override IProcessGroup Split(int color, int key, string name) => new SingleProcessGroup(name);

    protected override void AllReduceCore(Tensor tensor, ReduceOperation operation) { }
    protected override void AllGatherCore(Tensor input, Tensor output) => output[0].copy_(input);
    protected override void ReduceScatterCore(Tensor input, Tensor output) => output.copy_(input[0]);
    protected override void BroadcastCore(Tensor tensor, int root) { }
    protected override void BarrierCore() { }

    protected override PendingSend SendCore(Tensor tensor, int destination, int tag) =>
        throw new ProcessGroupException($"{Name}: a single-rank group has no other rank to send to");

    protected override void ReceiveCore(Tensor tensor, int source, int tag) =>
        throw new ProcessGroupException($"{Name}: a single-rank group has no other rank to receive from");
}
