using Llama.Core.Tests.Checkpoints;
using Llama.Platform;
using Llama.Platform.Artifacts;
using Llama.Platform.Metadata;
using Llama.Platform.Runs;

namespace Llama.Core.Tests.Cli;

/// <summary>`llama runs` and `llama artifacts` on an embedded .llama folder seeded through the platform library.</summary>
public class CliPlatformTests : IAsyncLifetime
{
    private readonly TemporaryDirectory _home = new();
    private Artifact _corpus = null!, _dataset = null!, _checkpoint = null!;
    private Run _run = null!;

    public async Task InitializeAsync()
    {
        var store = new MetadataStore(PlatformSettings.Embedded(_home.Path).Metadata);
        await store.MigrateAsync();
        var registry = new ArtifactRegistry(store);
        var runs = new RunTracker(store);
        string sha = new('a', 64);
        _corpus = await registry.RegisterAsync(new NewArtifact("corpus", "demo-corpus", "objects/corpus", 2048, sha));
        _run = await runs.StartAsync("curation", "curate-demo", "{\"minhash\": {\"bands\": 14}}", [(_corpus.Id, "corpus")]);
        _dataset = await registry.RegisterAsync(new NewArtifact("dataset", "demo-shards", "objects/ds", 4096, sha, ProducedByRunId: _run.Id), [(_corpus.Id, "input")]);
        await runs.FinishAsync(_run.Id, RunStatus.Succeeded);
        _checkpoint = await registry.RegisterAsync(new NewArtifact("checkpoint", "tiny-step-100", "objects/ckpt", 1 << 20, sha), [(_dataset.Id, "input")]);
    }

    public Task DisposeAsync()
    {
        _home.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public void Artifacts_list_shows_every_artifact_newest_first()
    {
        var result = LlamaCli.Run("artifacts", "list", "--home", _home.Path);
        Assert.True(result.ExitCode == 0, result.StandardError);
        var lines = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length); // header + 3
        Assert.Contains("tiny-step-100", lines[1]);
        Assert.Contains("demo-corpus", lines[3]);
    }

    [Fact]
    public void Artifacts_show_accepts_a_prefix_and_lists_parents_and_children()
    {
        var result = LlamaCli.Run("artifacts", "show", _dataset.Id.ToString("N")[..8], "--home", _home.Path);
        Assert.True(result.ExitCode == 0, result.StandardError);
        Assert.Contains($"id          {_dataset.Id}", result.StandardOutput);
        Assert.Contains($"parent      {_corpus.Id}", result.StandardOutput);
        Assert.Contains($"child       {_checkpoint.Id}", result.StandardOutput);
        Assert.Contains($"made by run {_run.Id}", result.StandardOutput);
    }

    [Fact]
    public void Artifacts_lineage_walks_up_to_the_corpus()
    {
        var result = LlamaCli.Run("artifacts", "lineage", _checkpoint.Id.ToString(), "--home", _home.Path);
        Assert.True(result.ExitCode == 0, result.StandardError);
        var lines = result.StandardOutput.TrimEnd().Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("checkpoint tiny-step-100", lines[0]);
        Assert.StartsWith("  dataset demo-shards", lines[1]);
        Assert.StartsWith("    corpus demo-corpus", lines[2]);
    }

    [Fact]
    public void Runs_list_shows_the_finished_run()
    {
        var result = LlamaCli.Run("runs", "list", "--home", _home.Path);
        Assert.True(result.ExitCode == 0, result.StandardError);
        Assert.Contains(_run.Id.ToString(), result.StandardOutput);
        Assert.Contains("Succeeded", result.StandardOutput);
    }

    [Fact]
    public void An_unknown_artifact_id_is_one_clear_error()
    {
        var result = LlamaCli.Run("artifacts", "show", Guid.NewGuid().ToString(), "--home", _home.Path);
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: ", result.StandardError);
        Assert.DoesNotContain("   at ", result.StandardError);
    }

    [Fact]
    public void An_unreachable_database_is_named_without_its_password_or_a_stack_trace()
    {
        var result = LlamaCli.Run("runs", "list", "--metadata", "Host=127.0.0.1;Port=1;Database=llama;Username=llama;Password=secret;Timeout=3");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("127.0.0.1:1", result.StandardError);
        Assert.DoesNotContain("secret", result.StandardError);
        Assert.DoesNotContain("   at ", result.StandardError);
    }

    [Fact]
    public void Reading_an_empty_home_creates_nothing()
    {
        using var empty = new TemporaryDirectory();
        var result = LlamaCli.Run("artifacts", "list", "--home", empty.Path);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("nothing recorded yet", result.StandardError);
        Assert.Empty(Directory.GetFileSystemEntries(empty.Path));
    }
}
