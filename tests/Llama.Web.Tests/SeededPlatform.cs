using Llama.Platform.Metadata;

namespace Llama.Web.Tests;

/// <summary>
/// What the UI shows, seeded into the metadata database: a curated dataset with three shards, a tokenizer, a
/// pretraining run with loss/validation-loss/lr metrics and two checkpoints, the model made from them, an SFT
/// model made from that, and evaluation scores of both checkpoints.
/// </summary>
internal sealed record SeededPlatform(
    Guid DatasetArtifact, Guid DatasetId, Guid Tokenizer, Guid Run, Guid RunningRun, Guid Checkpoint10, Guid Checkpoint20, Guid Model, Guid ChatModel)
{
    public const string RunName = "tiny-pretrain";
    public const int TrainingSteps = 20;

    /// <summary>The loss the seeded run logs at a step (hand-picked: falls from 9 toward 4).</summary>
    public static double LossAt(int step) => 4 + 5.0 / step;

    public static async Task<SeededPlatform> SeedAsync(MetadataStore store)
    {
        var t0 = new DateTime(2026, 11, 1, 12, 0, 0, DateTimeKind.Utc);
        Artifact NewArtifact(string kind, string name, int minute, Guid? run = null, string? metadata = null) => new()
        {
            Kind = kind, Name = name, Uri = $"objects/{name}", Sha256 = new string('b', 64), SizeBytes = 4096 * minute,
            MetadataJson = metadata, ProducedByRunId = run, CreatedAt = t0.AddMinutes(minute),
        };

        await using var db = store.CreateContext();
        var run = new Run
        {
            Kind = "pretraining", Name = RunName, Status = RunStatus.Succeeded, ConfigJson = """{"preset":"smoke","steps":20,"lr":0.003}""",
            CodeVersion = "test", CreatedAt = t0.AddMinutes(3), StartedAt = t0.AddMinutes(3), FinishedAt = t0.AddMinutes(9),
        };
        var sft = new Run { Kind = "sft", Name = "tiny-sft", Status = RunStatus.Running, CreatedAt = t0.AddMinutes(10) };
        var dataset = NewArtifact("dataset", "demo-corpus", 1);
        var shards = Enumerable.Range(0, 3).Select(i => NewArtifact("shard", $"demo-corpus/shard-{i}", 1)).ToList();
        var tokenizer = NewArtifact("tokenizer", "bpe-8k", 2);
        var checkpoint10 = NewArtifact("checkpoint", "tiny-pretrain/step-10", 5, run.Id);
        var checkpoint20 = NewArtifact("checkpoint", "tiny-pretrain/step-20", 8, run.Id);
        var model = NewArtifact("model", "tiny-base", 9, run.Id, """{"layers":2}""");
        var chatModel = NewArtifact("model", "tiny-chat", 11, sft.Id);

        db.Runs.AddRange(run, sft);
        db.Artifacts.AddRange([dataset, .. shards, tokenizer, checkpoint10, checkpoint20, model, chatModel]);
        db.RunInputs.AddRange(
            new RunInput { RunId = run.Id, ArtifactId = dataset.Id, Role = "dataset" },
            new RunInput { RunId = run.Id, ArtifactId = tokenizer.Id, Role = "tokenizer" });
        db.ArtifactEdges.AddRange(
            new ArtifactEdge { ParentId = dataset.Id, ChildId = checkpoint10.Id, Relation = "input" },
            new ArtifactEdge { ParentId = tokenizer.Id, ChildId = checkpoint10.Id, Relation = "tokenizer" },
            new ArtifactEdge { ParentId = checkpoint10.Id, ChildId = checkpoint20.Id, Relation = "continued-from" },
            new ArtifactEdge { ParentId = checkpoint20.Id, ChildId = model.Id, Relation = "averaged-from" },
            // Both checkpoints are averaged into the model (annealing): step 10 is one edge from it, and two.
            new ArtifactEdge { ParentId = checkpoint10.Id, ChildId = model.Id, Relation = "averaged-from" },
            new ArtifactEdge { ParentId = model.Id, ChildId = chatModel.Id, Relation = "fine-tuned-from" });
        var datasetRow = new Dataset { Name = "demo-corpus", Description = "curated demo corpus", ArtifactId = dataset.Id, Documents = 120, Tokens = 48000, CreatedAt = t0 };
        db.Datasets.Add(datasetRow);
        db.Shards.AddRange(shards.Select((s, i) => new Shard
        {
            DatasetId = datasetRow.Id, Index = i, ArtifactId = s.Id, Split = i == 2 ? "validation" : "train", Domain = "web", Rows = 40, Tokens = 16000,
        }));
        for (int step = 1; step <= TrainingSteps; step++)
        {
            db.Metrics.Add(new Metric { RunId = run.Id, Name = "loss", Step = step, Value = LossAt(step) });
            db.Metrics.Add(new Metric { RunId = run.Id, Name = "lr", Step = step, Value = 0.003 * Math.Min(1, step / 5.0) });
            if (step % 5 == 0) db.Metrics.Add(new Metric { RunId = run.Id, Name = "validation_loss", Step = step, Value = LossAt(step) + 0.3 });
        }
        db.Metrics.Add(new Metric { RunId = run.Id, Name = "final_validation_loss", Step = TrainingSteps, Value = 4.55 });
        db.Checkpoints.AddRange(
            new Checkpoint { RunId = run.Id, ArtifactId = checkpoint10.Id, Step = 10, TokensSeen = 10240, Loss = LossAt(10) },
            new Checkpoint { RunId = run.Id, ArtifactId = checkpoint20.Id, Step = 20, TokensSeen = 20480, Loss = LossAt(20) });
        db.EvalResults.AddRange(
            new EvalResult { ModelArtifactId = checkpoint10.Id, Task = "quiz", MetricName = "accuracy", Value = 0.25, StandardError = 0.05, Samples = 80 },
            new EvalResult { ModelArtifactId = checkpoint20.Id, Task = "quiz", MetricName = "accuracy", Value = 0.375, StandardError = 0.05, Samples = 80 },
            new EvalResult { ModelArtifactId = checkpoint10.Id, Task = "persuasion", MetricName = "accuracy", Value = 0.5, Samples = 40 },
            new EvalResult { ModelArtifactId = checkpoint20.Id, Task = "persuasion", MetricName = "accuracy", Value = 0.625, Samples = 40 });
        await db.SaveChangesAsync();
        return new SeededPlatform(dataset.Id, datasetRow.Id, tokenizer.Id, run.Id, sft.Id, checkpoint10.Id, checkpoint20.Id, model.Id, chatModel.Id);
    }
}
