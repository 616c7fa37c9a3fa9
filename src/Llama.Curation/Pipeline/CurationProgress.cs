namespace Llama.Curation.Pipeline;

/// <summary>Where a curation run is: which step, how many of its shards are done, documents seen so far.</summary>
public sealed record CurationProgress(string Step, int StepIndex, int StepCount, int ShardsDone, int ShardsTotal, long Documents)
{
    public double Fraction => StepCount == 0 ? 1 : (StepIndex + (ShardsTotal == 0 ? 1.0 : ShardsDone / (double)ShardsTotal)) / StepCount;

    public override string ToString() => $"[{StepIndex + 1}/{StepCount}] {Step}: shard {ShardsDone}/{ShardsTotal}, {Documents:N0} documents";
}
