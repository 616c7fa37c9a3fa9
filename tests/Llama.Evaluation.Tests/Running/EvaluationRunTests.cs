using Llama.Evaluation.Reports;
using Llama.Evaluation.Requests;
using Llama.Evaluation.Running;
using Llama.Evaluation.Tasks;
using Llama.Platform;
using Llama.Platform.Artifacts;
using Llama.Platform.Metadata;

namespace Llama.Evaluation.Tests.Running;

public sealed class EvaluationRunTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("llama-eval-run-").FullName;

    [Fact]
    public async Task A_model_with_random_weights_scores_at_chance_on_multiple_choice()
    {
        // Distractors come from the same column, so even a model that only prefers short answers is at chance.
        var tokenizer = TestModels.Tokenizer();
        using var model = new EvaluatedModel(TestModels.Random(tokenizer), tokenizer, 256, 32);
        var task = new TaskCatalog(Fixtures.DataDirectory).Get("quiz");
        var results = await new TaskEvaluator(model, new EvaluationSettings { Limit = 600 }).EvaluateAsync(task);
        var result = Assert.Single(results);
        Assert.Equal(600, result.Samples);
        foreach (var metric in result.Metrics)
        {
            // Within four standard errors of 1/4 (a false alarm about once in 15,000 seeds).
            Assert.True(Math.Abs(metric.Value - 0.25) < 4 * metric.StandardError!.Value,
                $"{metric.Metric} = {metric.Value:0.000} ± {metric.StandardError:0.000}, chance is 0.25");
        }
    }

    [Fact]
    public async Task A_limit_larger_than_the_task_scores_every_item_and_says_so()
    {
        var tokenizer = TestModels.Tokenizer();
        using var model = new EvaluatedModel(TestModels.Random(tokenizer), tokenizer, 256, 16);
        File.WriteAllText(Path.Combine(_root, "two.jsonl"), "{\"text\": \"one short line\"}\n{\"text\": \"another short line\"}\n");
        var path = Path.Combine(_root, "two.yaml");
        File.WriteAllText(path, "task: two\noutput_type: loglikelihood_rolling\nsource:\n  kind: text-documents\n  path: two.jsonl\n");
        var results = await new TaskEvaluator(model, new EvaluationSettings { Limit = 50 }).EvaluateAsync(TaskFileReader.Read(path));
        var result = Assert.Single(results);
        Assert.Equal(2, result.Samples);
        Assert.Contains(result.Notes, n => n.Contains("--limit 50 is larger than the task (2 items)"));
        // A random model over a vocabulary of ~1,256 ids: about ln(1256) nats per token, so far above 1 bit per byte.
        Assert.True(result.Metrics.Single(m => m.Metric == "bits_per_byte").Value > 1);
    }

    [Fact]
    public async Task A_model_that_cannot_be_loaded_is_a_typed_error_naming_it()
    {
        var missing = Path.Combine(_root, "nope");
        var error = await Assert.ThrowsAsync<ModelLoadException>(() => EvaluationRunner.RunAsync(
            new EvaluationRequest(missing, ["quiz"], new EvaluationSettings { Limit = 1 }, DataDirectory: Fixtures.DataDirectory), null));
        Assert.Contains(missing, error.Message);

        var broken = Directory.CreateDirectory(Path.Combine(_root, "broken")).FullName;
        TestModels.SaveRandom(broken);
        File.WriteAllText(Path.Combine(broken, "model.safetensors"), "not safetensors");
        error = await Assert.ThrowsAsync<ModelLoadException>(() => EvaluationRunner.RunAsync(
            new EvaluationRequest(broken, ["quiz"], new EvaluationSettings { Limit = 1 }, DataDirectory: Fixtures.DataDirectory), null));
        Assert.Contains("model.safetensors", error.Message);
    }

    [Fact]
    public async Task A_bad_task_file_is_reported_before_the_model_is_loaded()
    {
        var path = Path.Combine(_root, "bad.yaml");
        File.WriteAllText(path, "task: bad\n  output_type: : x\n");
        await Assert.ThrowsAsync<TaskFileException>(() => EvaluationRunner.RunAsync(
            new EvaluationRequest(Path.Combine(_root, "no-model"), [path], new EvaluationSettings()), null));
    }

    [Fact]
    public async Task Results_are_stored_per_model_artifact_and_compared_in_a_report()
    {
        var platform = PlatformSettings.Embedded(Path.Combine(_root, "home"));
        var first = TestModels.SaveRandom(Path.Combine(_root, "step-1"), seed: 1);
        var second = TestModels.SaveRandom(Path.Combine(_root, "step-2"), seed: 2);
        var settings = new EvaluationSettings { Limit = 12 };
        var a = await EvaluationRunner.RunAsync(new EvaluationRequest(first, ["quiz", "cloze"], settings, Path.Combine(_root, "a.json"), DataDirectory: Fixtures.DataDirectory), platform);
        var again = await EvaluationRunner.RunAsync(new EvaluationRequest(first, ["quiz"], settings, DataDirectory: Fixtures.DataDirectory), platform);
        var b = await EvaluationRunner.RunAsync(new EvaluationRequest(second, ["quiz"], settings, DataDirectory: Fixtures.DataDirectory), platform);

        Assert.Equal(a.ModelArtifactId, again.ModelArtifactId); // the same weights are found again by their hash
        Assert.NotEqual(a.ModelArtifactId, b.ModelArtifactId);
        var registry = new ArtifactRegistry(new MetadataStore(platform.Metadata));
        var stored = await registry.EvalResultsAsync(a.ModelArtifactId!.Value);
        var acc = stored.First(r => r.Task == "quiz" && r.MetricName == "acc");
        Assert.Equal(12, acc.Samples);
        Assert.Contains("\"formatting\": \"raw\"", acc.ConfigJson);
        Assert.Contains("\"quiz\"", File.ReadAllText(Path.Combine(_root, "a.json")));

        var models = await EvalComparison.LoadAsync(registry, [a.ModelArtifactId.Value.ToString(), b.ModelArtifactId!.Value.ToString()]);
        var (md, png) = EvalComparison.Write(Path.Combine(_root, "report"), models);
        var markdown = File.ReadAllText(md);
        Assert.Contains("| quiz | acc |", markdown);
        Assert.Contains("| cloze | acc |", markdown);
        Assert.Equal([0x89, 0x50, 0x4E, 0x47], File.ReadAllBytes(png)[..4]); // a PNG
    }

    [Fact]
    public async Task A_folder_whose_model_was_published_is_evaluated_under_the_published_artifact_as_is_its_id()
    {
        var platform = PlatformSettings.Embedded(Path.Combine(_root, "home"));
        var folder = TestModels.SaveRandom(Path.Combine(_root, "model"), seed: 3);
        // Published as pretraining publishes a model: the files under a run's key prefix, hashed as the store received them.
        var objects = platform.CreateObjectStore();
        var manifest = new System.Text.StringBuilder();
        long bytes = 0;
        foreach (var path in Directory.GetFiles(folder).Order(StringComparer.Ordinal))
        {
            var info = await Llama.Platform.Storage.ObjectStoreExtensions.PutFileAsync(objects, "runs/r/models/final/" + Path.GetFileName(path), path);
            manifest.Append(Path.GetFileName(path)).Append('\t').Append(info.Sha256).Append('\n');
            bytes += info.SizeBytes;
        }
        var store = new MetadataStore(platform.Metadata);
        await store.MigrateAsync();
        var registry = new ArtifactRegistry(store);
        var published = await registry.RegisterAsync(new NewArtifact("model", "final", "runs/r/models/final/", bytes,
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(manifest.ToString())))));

        var settings = new EvaluationSettings { Limit = 2 };
        var byFolder = await EvaluationRunner.RunAsync(new EvaluationRequest(folder, ["quiz"], settings, DataDirectory: Fixtures.DataDirectory), platform);
        var byId = await EvaluationRunner.RunAsync(new EvaluationRequest(published.Id.ToString("N")[..8], ["quiz"], settings, DataDirectory: Fixtures.DataDirectory), platform);
        Assert.Equal((published.Id, published.Id), (byFolder.ModelArtifactId, byId.ModelArtifactId));
        Assert.Single(await registry.ListAsync("model"));
        Assert.Equal(2, (await registry.EvalResultsAsync(published.Id)).Count(r => r.Task == "quiz" && r.MetricName == "acc"));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
