using Llama.Platform.Artifacts;
using Llama.Platform.Metadata;
using Llama.Platform.Runs;

namespace Llama.Platform.Tests.Metadata;

public abstract partial class MetadataStoreSuite
{
    [Fact]
    public async Task Registered_artifact_reads_back_with_every_field()
    {
        var run = await Runs.StartAsync("curation", "c1", "{}");
        var spec = Spec("dataset", "web-en", run.Id, """{"languages":["en"]}""");

        var registered = await Registry.RegisterAsync(spec);
        var read = await Registry.GetAsync(registered.Id);

        Assert.Equal(
            (spec.Kind, spec.Name, spec.Uri, spec.SizeBytes, spec.Sha256, spec.MetadataJson, (Guid?)run.Id),
            (read.Kind, read.Name, read.Uri, read.SizeBytes, read.Sha256, read.MetadataJson, read.ProducedByRunId));
    }

    [Fact]
    public async Task List_returns_newest_first_filtered_by_kind_up_to_the_limit()
    {
        foreach (var name in new[] { "s0", "s1", "s2" }) await Registry.RegisterAsync(Spec("shard", name));
        await Registry.RegisterAsync(Spec("tokenizer", "tok"));

        Assert.Equal(["s2", "s1", "s0"], (await Registry.ListAsync("shard")).Select(a => a.Name));
        Assert.Equal(["s2", "s1"], (await Registry.ListAsync("shard", limit: 2)).Select(a => a.Name));
        Assert.Equal(["tok", "s2", "s1", "s0"], (await Registry.ListAsync()).Select(a => a.Name));
    }

    [Fact]
    public async Task Artifacts_with_a_content_hash_are_found_among_the_given_kinds_oldest_first()
    {
        string sha = Sha256Of("weights");
        var published = await Registry.RegisterAsync(Spec("model", "final") with { Sha256 = sha });
        var inPlace = await Registry.RegisterAsync(Spec("checkpoint", "step-10") with { Sha256 = sha });
        await Registry.RegisterAsync(Spec("reward-model", "rm") with { Sha256 = sha });
        await Registry.RegisterAsync(Spec("model", "other"));

        Assert.Equal([published.Id, inPlace.Id], (await Registry.WithContentAsync(sha, ["model", "checkpoint"])).Select(a => a.Id));
        Assert.Empty(await Registry.WithContentAsync(Sha256Of("nothing"), ["model"]));
    }

    [Fact]
    public async Task Unknown_parent_is_rejected_naming_it_and_nothing_is_written()
    {
        var known = await Registry.RegisterAsync(Spec("corpus", "known"));
        var unknown = Guid.NewGuid();
        var before = await CountArtifactsAndEdgesAsync();

        var error = await Assert.ThrowsAsync<ArtifactNotFoundException>(() =>
            Registry.RegisterAsync(Spec("dataset", "orphan"), [(known.Id, "derived-from"), (unknown, "derived-from")]));

        Assert.Contains(unknown.ToString(), error.Message);
        Assert.Equal(before, await CountArtifactsAndEdgesAsync());
    }

    [Fact]
    public async Task Unknown_producing_run_is_rejected_and_nothing_is_written()
    {
        var runId = Guid.NewGuid();

        var error = await Assert.ThrowsAsync<RunNotFoundException>(() => Registry.RegisterAsync(Spec("dataset", "d", runId)));

        Assert.Contains(runId.ToString(), error.Message);
        Assert.Equal((0, 0), await CountArtifactsAndEdgesAsync());
    }

    [Theory]
    [InlineData("", "name", "sha256:ok", "kind")]
    [InlineData("dataset", " ", "sha256:ok", "name")]
    [InlineData("dataset", "name", "ABCDEF", "sha256")]
    [InlineData("dataset", "name", "sha256:upper", "sha256")]
    public async Task Invalid_fields_are_rejected_naming_the_field(string kind, string name, string sha, string field)
    {
        string sha256 = sha switch
        {
            "sha256:ok" => Sha256Of(name),
            "sha256:upper" => Sha256Of(name).ToUpperInvariant(),
            _ => sha,
        };

        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            Registry.RegisterAsync(new NewArtifact(kind, name, "objects/x", 1, sha256)));

        Assert.Equal(field, error.ParamName);
        Assert.Equal((0, 0), await CountArtifactsAndEdgesAsync());
    }

    [Fact]
    public async Task Malformed_artifact_metadata_json_is_rejected()
    {
        var error = await Assert.ThrowsAsync<MalformedJsonException>(() =>
            Registry.RegisterAsync(Spec("dataset", "d", metadataJson: "{\"languages\": [en]}")));

        Assert.Contains("artifact metadata", error.Message);
        Assert.Equal((0, 0), await CountArtifactsAndEdgesAsync());
    }

    [Fact]
    public async Task Get_of_an_unknown_id_names_it()
    {
        var id = Guid.NewGuid();

        var error = await Assert.ThrowsAsync<ArtifactNotFoundException>(() => Registry.GetAsync(id));

        Assert.Contains(id.ToString(), error.Message);
    }

    [Fact]
    public async Task Resolve_accepts_a_full_id_or_a_unique_prefix_however_typed()
    {
        var target = await Registry.RegisterAsync(Spec("model", "target"));
        await Registry.RegisterAsync(Spec("model", "other"));
        string n = target.Id.ToString("N");

        foreach (var typed in new[] { target.Id.ToString(), target.Id.ToString("B").ToUpperInvariant(), n,
                     n[..6], n[..6].ToUpperInvariant(), n[..10], $"{n[..8]}-{n[8..10]}" })
            Assert.Equal(target.Id, (await Registry.ResolveAsync(typed)).Id);
    }

    [Fact]
    public async Task Resolve_of_a_shared_prefix_lists_the_candidates()
    {
        var first = await InsertWithIdAsync(Guid.Parse("abcdef01-0000-4000-8000-000000000001"), "first");
        var second = await InsertWithIdAsync(Guid.Parse("abcdef02-0000-4000-8000-000000000002"), "second");

        var error = await Assert.ThrowsAsync<AmbiguousArtifactIdException>(() => Registry.ResolveAsync("ABCDEF"));

        Assert.Equal([first, second], error.Matches.Select(a => a.Id).Order());
        Assert.Contains(first.ToString(), error.Message);
        Assert.Contains(second.ToString(), error.Message);
        Assert.Equal(second, (await Registry.ResolveAsync("abcdef02")).Id);
    }

    [Fact]
    public async Task Resolve_of_an_unknown_or_malformed_reference_says_which()
    {
        await InsertWithIdAsync(Guid.Parse("abcdef01-0000-4000-8000-000000000001"), "only");

        var unknown = await Assert.ThrowsAsync<ArtifactNotFoundException>(() => Registry.ResolveAsync("abcdef00"));
        Assert.Contains("abcdef00", unknown.Message);
        await Assert.ThrowsAsync<ArtifactNotFoundException>(() => Registry.ResolveAsync(Guid.NewGuid().ToString()));
        var tooShort = await Assert.ThrowsAsync<ArgumentException>(() => Registry.ResolveAsync("abcde"));
        Assert.Contains("at least 6", tooShort.Message);
        await Assert.ThrowsAsync<ArgumentException>(() => Registry.ResolveAsync("checkpoint-7"));
    }

    /// <summary>Ids are chosen by the registry, so a shared prefix needs rows written with chosen ids.</summary>
    private async Task<Guid> InsertWithIdAsync(Guid id, string name)
    {
        await using var db = Store.CreateContext();
        db.Artifacts.Add(new Artifact { Id = id, Kind = "model", Name = name, Uri = $"objects/{name}", Sha256 = Sha256Of(name) });
        await db.SaveChangesAsync();
        return id;
    }
}
