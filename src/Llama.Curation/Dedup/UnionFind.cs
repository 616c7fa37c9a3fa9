namespace Llama.Curation.Dedup;

/// <summary>
/// Disjoint sets over 0..n−1 where a set's root is always its smallest member, so "keep the root" means
/// "keep the smallest index" without a second pass.
/// </summary>
internal sealed class UnionFind
{
    private readonly int[] _parent;

    public UnionFind(int count)
    {
        _parent = new int[count];
        for (var i = 0; i < count; i++) _parent[i] = i;
    }

    public int Find(int x)
    {
        while (_parent[x] != x)
        {
            _parent[x] = _parent[_parent[x]]; // path halving
            x = _parent[x];
        }
        return x;
    }

    /// <summary>Joins the sets of <paramref name="a"/> and <paramref name="b"/>; false if they were one already.</summary>
    public bool Union(int a, int b)
    {
        var rootA = Find(a);
        var rootB = Find(b);
        if (rootA == rootB) return false;
        if (rootA < rootB) _parent[rootB] = rootA;
        else _parent[rootA] = rootB;
        return true;
    }
}
