using Llama.Platform.Artifacts;

namespace Llama.Platform.Tests.Metadata;

public abstract partial class MetadataStoreSuite
{
    // The lifecycle in small, with a diamond (corpus reaches the checkpoint through the dataset and the tokenizer):
    //
    //   corpus ──derived-from──► dataset ──shard-of──► shard0, shard1
    //     │                        │
    //     └──trained-on──► tokenizer ──tokenizer──► checkpoint ◄──trained-on── dataset
    //                                                   │
    //                                                   └──quantized-from──► quantized
    private async Task<Dictionary<string, Guid>> RegisterLifecycleAsync()
    {
        var ids = new Dictionary<string, Guid>();
        async Task Add(string kind, string name, params (string Parent, string Relation)[] parents) =>
            ids[name] = (await Registry.RegisterAsync(Spec(kind, name), parents.Select(p => (ids[p.Parent], p.Relation)))).Id;

        await Add("corpus", "corpus");
        await Add("dataset", "dataset", ("corpus", "derived-from"));
        await Add("shard", "shard0", ("dataset", "shard-of"));
        await Add("shard", "shard1", ("dataset", "shard-of"));
        await Add("tokenizer", "tokenizer", ("corpus", "trained-on"));
        await Add("checkpoint", "checkpoint", ("dataset", "trained-on"), ("tokenizer", "tokenizer"));
        await Add("model", "quantized", ("checkpoint", "quantized-from"));
        return ids;
    }

    [Fact]
    public async Task Parents_and_children_are_the_direct_edges_with_their_relations()
    {
        var ids = await RegisterLifecycleAsync();

        var parents = await Registry.ParentsAsync(ids["checkpoint"]);
        var children = await Registry.ChildrenAsync(ids["dataset"]);

        Assert.Equal(["dataset:trained-on", "tokenizer:tokenizer"], parents.Select(p => $"{p.Artifact.Name}:{p.Relation}").Order());
        Assert.Equal(["checkpoint:trained-on", "shard0:shard-of", "shard1:shard-of"], children.Select(c => $"{c.Artifact.Name}:{c.Relation}").Order());
        Assert.Empty(await Registry.ParentsAsync(ids["corpus"]));
        await Assert.ThrowsAsync<ArtifactNotFoundException>(() => Registry.ChildrenAsync(Guid.NewGuid()));
    }

    [Theory]
    [InlineData(0, "corpus@0", "")]
    [InlineData(1, "corpus@0 dataset@1 tokenizer@1", "corpus>dataset corpus>tokenizer")]
    [InlineData(2, "corpus@0 dataset@1 tokenizer@1 checkpoint@2 shard0@2 shard1@2",
        "corpus>dataset corpus>tokenizer dataset>checkpoint dataset>shard0 dataset>shard1 tokenizer>checkpoint")]
    [InlineData(int.MaxValue, "corpus@0 dataset@1 tokenizer@1 checkpoint@2 shard0@2 shard1@2 quantized@3",
        "checkpoint>quantized corpus>dataset corpus>tokenizer dataset>checkpoint dataset>shard0 dataset>shard1 tokenizer>checkpoint")]
    public async Task Lineage_down_from_the_corpus_stops_at_the_depth_limit(int maxDepth, string nodes, string edges)
    {
        var ids = await RegisterLifecycleAsync();

        var lineage = await Registry.LineageAsync(ids["corpus"], LineageDirection.Down, maxDepth);

        AssertLineage(lineage, ids, "corpus", nodes, edges);
    }

    [Theory]
    [InlineData(1, "quantized@0 checkpoint@1", "checkpoint>quantized")]
    [InlineData(2, "quantized@0 checkpoint@1 dataset@2 tokenizer@2", "checkpoint>quantized dataset>checkpoint tokenizer>checkpoint")]
    [InlineData(3, "quantized@0 checkpoint@1 dataset@2 tokenizer@2 corpus@3",
        "checkpoint>quantized corpus>dataset corpus>tokenizer dataset>checkpoint tokenizer>checkpoint")]
    [InlineData(50, "quantized@0 checkpoint@1 dataset@2 tokenizer@2 corpus@3",
        "checkpoint>quantized corpus>dataset corpus>tokenizer dataset>checkpoint tokenizer>checkpoint")]
    public async Task Lineage_up_from_the_quantized_model_stops_at_the_depth_limit(int maxDepth, string nodes, string edges)
    {
        var ids = await RegisterLifecycleAsync();

        var lineage = await Registry.LineageAsync(ids["quantized"], LineageDirection.Up, maxDepth);

        AssertLineage(lineage, ids, "quantized", nodes, edges);
    }

    [Fact]
    public async Task Lineage_up_from_a_shard_reaches_only_its_own_ancestors()
    {
        var ids = await RegisterLifecycleAsync();

        var lineage = await Registry.LineageAsync(ids["shard1"], LineageDirection.Up);

        AssertLineage(lineage, ids, "shard1", "shard1@0 dataset@1 corpus@2", "corpus>dataset dataset>shard1");
        Assert.Equal("shard-of", Assert.Single(lineage.Edges, e => e.ChildId == ids["shard1"]).Relation);
    }

    /// <summary>Compares nodes as <c>name@depth</c> (root first, then by depth) and edges as <c>parent&gt;child</c> sets.</summary>
    private static void AssertLineage(ArtifactLineage lineage, Dictionary<string, Guid> ids, string root, string nodes, string edges)
    {
        var names = ids.ToDictionary(p => p.Value, p => p.Key);
        string[] expectedNodes = nodes.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(ids[root], lineage.RootId);
        Assert.Equal(root, lineage.Nodes[0].Artifact.Name);
        Assert.Equal(expectedNodes.Order(), lineage.Nodes.Select(n => $"{n.Artifact.Name}@{n.Depth}").Order());
        Assert.Equal(lineage.Nodes.Select(n => n.Depth).Order(), lineage.Nodes.Select(n => n.Depth));
        Assert.Equal(edges.Split(' ', StringSplitOptions.RemoveEmptyEntries).Order(),
            lineage.Edges.Select(e => $"{names[e.ParentId]}>{names[e.ChildId]}").Order());
    }
}
