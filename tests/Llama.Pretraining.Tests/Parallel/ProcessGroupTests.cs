using Llama.Pretraining.Parallel;
using Llama.Pretraining.Parallel.ProcessGroups;
using static TorchSharp.torch;

namespace Llama.Pretraining.Tests.Parallel;

/// <summary>The process-group contract on the in-process backend (the MPI backend passes the same checks under mpirun: see the CLI tests).</summary>
public sealed class ProcessGroupTests
{
    [Fact]
    public void Collectives_combine_every_ranks_values_as_hand_computed()
    {
        var results = InProcessWorld.Run(3, g =>
        {
            var x = tensor(new float[] { g.Rank + 1, 10 * (g.Rank + 1) });
            g.AllReduce(x);
            var max = tensor(new float[] { g.Rank });
            g.AllReduce(max, ReduceOperation.Max);
            var gathered = g.AllGather(tensor(new float[] { g.Rank }));
            // Rank r contributes [r, r, r] · (slot + 1); slot s receives Σ_r r·(s + 1) = 3·(s + 1).
            var scattered = g.ReduceScatter(tensor(new float[] { g.Rank * 1f, g.Rank * 2f, g.Rank * 3f }).view(3, 1));
            var broadcast = tensor(new float[] { g.Rank == 2 ? 42 : 0 });
            g.Broadcast(broadcast, root: 2);
            return (x.data<float>().ToArray(), max.item<float>(), gathered.flatten().data<float>().ToArray(), scattered.item<float>(), broadcast.item<float>());
        });
        foreach (var (rank, (sum, max, gathered, scattered, broadcast)) in results.Select((r, i) => (i, r)))
        {
            Assert.Equal([6f, 60f], sum);
            Assert.Equal(2f, max);
            Assert.Equal([0f, 1f, 2f], gathered);
            Assert.Equal(3f * (rank + 1), scattered);
            Assert.Equal(42f, broadcast);
        }
    }

    [Fact]
    public void The_mesh_orders_tp_innermost_and_dp_outermost_with_matching_sub_groups()
    {
        var dims = new ParallelDimensions(Tp: 2, Cp: 1, Pp: 2, Dp: 2);
        var members = InProcessWorld.Run(8, world =>
        {
            using var mesh = new DeviceMesh(world, dims);
            long Members(IProcessGroup g) => g.AllGather(tensor(new long[] { world.Rank })).flatten().data<long>().Aggregate(0L, (acc, r) => acc * 10 + r);
            return (mesh.TpRank, mesh.PpRank, mesh.DpRank, Tp: Members(mesh.Tp), Pp: Members(mesh.Pp), Dp: Members(mesh.Dp));
        });
        // rank = tp + 2·(pp + 2·dp): rank 5 is tp 1, pp 0, dp 1; its tp peers 4,5; pp peers 5,7; dp peers 1,5.
        Assert.Equal((1, 0, 1), (members[5].TpRank, members[5].PpRank, members[5].DpRank));
        Assert.Equal(45, members[5].Tp);
        Assert.Equal(57, members[5].Pp);
        Assert.Equal(15, members[5].Dp);
    }

    [Fact]
    public void A_receive_whose_sender_never_sends_times_out_with_a_clear_error()
    {
        var error = Assert.Throws<AggregateException>(() => InProcessWorld.Run(2, g =>
        {
            if (g.Rank == 1) g.Receive(zeros(1), source: 0, tag: 7);
            return 0;
        }, timeout: TimeSpan.FromMilliseconds(300)));
        var timeout = Assert.IsType<CollectiveTimeoutException>(Assert.Single(error.InnerExceptions));
        Assert.Contains("peer rank has died or is stuck", timeout.Message);
    }

    [Fact]
    public void The_pipeline_orders_are_1f1b_and_gpipe()
    {
        string Order(PipelineSchedule s, int stage) => string.Concat(PipelineOrder.For(s, stage, 2, 3).Select(o => (o.Forward ? "F" : "B") + o.MicroBatch));
        Assert.Equal("F0F1B0F2B1B2", Order(PipelineSchedule.OneForwardOneBackward, 0));
        Assert.Equal("F0B0F1B1F2B2", Order(PipelineSchedule.OneForwardOneBackward, 1));
        Assert.Equal("F0F1F2B0B1B2", Order(PipelineSchedule.GPipe, 0));
    }
}
