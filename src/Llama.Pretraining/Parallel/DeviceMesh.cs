using Llama.Pretraining.Parallel.ProcessGroups;

namespace Llama.Pretraining.Parallel;

/// <summary>
/// The 4D device mesh of the Llama 3 paper (section 3.3.2), dimensions ordered [TP, CP, PP, DP] from innermost to
/// outermost: <c>rank = tp + TP·(cp + CP·(pp + PP·dp))</c>, so tensor-parallel peers are neighbours (on one node, where
/// bandwidth is highest) and data-parallel peers are farthest apart. Each rank gets one sub-group per dimension,
/// plus the flattened DP x CP group over which parameters are sharded and gradients reduced (torchtitan's
/// <c>dp_shard_cp</c>).
/// </summary>
public sealed class DeviceMesh : IDisposable
{
    public DeviceMesh(IProcessGroup world, ParallelDimensions dimensions)
    {
        if (world.Size != dimensions.WorldSize)
            throw new ParallelLayoutException($"the mesh tp {dimensions.Tp} x cp {dimensions.Cp} x pp {dimensions.Pp} x dp {dimensions.Dp} = {dimensions.WorldSize} ranks does not match the world size {world.Size}");
        World = world;
        Dimensions = dimensions;
        (TpRank, CpRank, PpRank, DpRank) = Coordinates(world.Rank, dimensions);
        // Each split groups the ranks that agree on every other coordinate; the key orders them along this one.
        Tp = world.Split(color: RankOf(0, CpRank, PpRank, DpRank), key: TpRank, "tp");
        Cp = world.Split(color: RankOf(TpRank, 0, PpRank, DpRank), key: CpRank, "cp");
        Pp = world.Split(color: RankOf(TpRank, CpRank, 0, DpRank), key: PpRank, "pp");
        Dp = world.Split(color: RankOf(TpRank, CpRank, PpRank, 0), key: DpRank, "dp");
        DpCp = world.Split(color: RankOf(TpRank, 0, PpRank, 0), key: CpRank + dimensions.Cp * DpRank, "dp-cp");
    }

    public IProcessGroup World { get; }
    public ParallelDimensions Dimensions { get; }
    public int TpRank { get; }
    public int CpRank { get; }
    public int PpRank { get; }
    public int DpRank { get; }
    public IProcessGroup Tp { get; }
    public IProcessGroup Cp { get; }
    public IProcessGroup Pp { get; }
    public IProcessGroup Dp { get; }

    /// <summary>Data and context ranks together: parameters are replicated (or sharded) over it and gradients summed over it.</summary>
    public IProcessGroup DpCp { get; }

    public bool IsFirstStage => PpRank == 0;
    public bool IsLastStage => PpRank == Dimensions.Pp - 1;

    /// <summary>The world rank at mesh coordinates (tp, cp, pp, dp).</summary>
    public int RankOf(int tp, int cp, int pp, int dp) => tp + Dimensions.Tp * (cp + Dimensions.Cp * (pp + Dimensions.Pp * dp));

    public static (int Tp, int Cp, int Pp, int Dp) Coordinates(int rank, ParallelDimensions d) =>
        (rank % d.Tp, rank / d.Tp % d.Cp, rank / (d.Tp * d.Cp) % d.Pp, rank / (d.Tp * d.Cp * d.Pp));

    public void Dispose()
    {
        foreach (var group in new[] { Tp, Cp, Pp, Dp, DpCp }) group.Dispose();
    }
}
