namespace Llama.Curation.Dedup;

/// <summary>
/// Guards the <c>Observe → Seal → Process</c> order of a corpus stage, so a pipeline that calls them out of order
/// fails loudly instead of deduplicating against half a corpus.
/// </summary>
internal sealed class CorpusStagePhase(string stageName)
{
    private volatile bool _sealed;

    public void EnsureObserving()
    {
        if (_sealed) throw new InvalidOperationException($"{stageName}: Observe called after Seal");
    }

    public void Seal()
    {
        if (_sealed) throw new InvalidOperationException($"{stageName}: Seal called twice");
        _sealed = true;
    }

    public void EnsureSealed()
    {
        if (!_sealed) throw new InvalidOperationException($"{stageName}: Process called before Seal");
    }
}
