using System.Text.Json;
using Llama.Core.Tests.Checkpoints;

namespace Llama.Core.Tests.Cli;

/// <summary>`llama curate` and `llama data export` as a user runs them, on a real novel from the demo corpus.</summary>
public class CliCurationTests
{
    [Fact]
    public void Curate_writes_shards_records_the_dataset_and_export_writes_jsonl()
    {
        using var work = new TemporaryDirectory();
        string input = Path.Combine(work.Path, "in", "austen");
        Directory.CreateDirectory(input);
        File.Copy(Fixtures.RepositoryFile("data", "corpus", "austen", "northanger-abbey", "chapter-002.txt"), Path.Combine(input, "northanger-abbey-1.txt"));
        File.WriteAllText(Path.Combine(input, "broken.txt"), "");
        File.WriteAllBytes(Path.Combine(input, "latin1.txt"), [0x63, 0x61, 0x66, 0xE9, 0x20, 0x6E, 0x6F, 0x69, 0x72]);
        string output = Path.Combine(work.Path, "curated");
        string home = Path.Combine(work.Path, "home");

        var curate = LlamaCli.Run("curate", "--input", Path.Combine(work.Path, "in"), "--output", output, "--home", home, "--name", "novel");
        Assert.True(curate.ExitCode == 0, curate.StandardError);
        Assert.Contains("dataset artifact", curate.StandardOutput);
        var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "report.json"))).RootElement;
        var skipped = report.GetProperty("Ingest").GetProperty("DroppedByReason");
        Assert.Equal(1, skipped.GetProperty("ingest.empty").GetInt64());
        Assert.Equal(1, skipped.GetProperty("ingest.invalid_utf8").GetInt64());
        Assert.Equal(1, report.GetProperty("Output").GetProperty("Documents").GetInt64());
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(output, "tokens"), "*.parquet"));
        Assert.Contains("## Stages", File.ReadAllText(Path.Combine(output, "report.md")));

        var datasets = LlamaCli.Run("artifacts", "list", "--kind", "dataset", "--home", home);
        Assert.Contains("novel", datasets.StandardOutput);

        string jsonl = Path.Combine(work.Path, "export.jsonl");
        var export = LlamaCli.Run("data", "export", output, "--format", "jsonl", "--out", jsonl);
        Assert.True(export.ExitCode == 0, export.StandardError);
        var record = JsonDocument.Parse(File.ReadAllLines(jsonl).Single()).RootElement;
        Assert.Equal("austen/northanger-abbey-1.txt", record.GetProperty("id").GetString());
        Assert.Equal("en", record.GetProperty("lang").GetString());
        Assert.Equal("general", record.GetProperty("domain").GetString());
        Assert.Equal("austen", record.GetProperty("source").GetString());
        Assert.Contains("Catherine Morland", record.GetProperty("text").GetString());
    }

    [Theory]
    [InlineData("--config", "{ \"documentsPerShard\": 0 }", "documentsPerShard (0) must be positive")]
    [InlineData("--config", "{ \"skip\": [\"nonsense\"] }", "unknown stage(s) nonsense")]
    [InlineData("--config", "{ \"minHash\": { \"bands\": \"many\" } }", "minHash.bands")]
    public void A_bad_config_is_one_clear_error(string flag, string json, string expected)
    {
        using var work = new TemporaryDirectory();
        string config = Path.Combine(work.Path, "config.json");
        File.WriteAllText(config, json);
        var result = LlamaCli.Run("curate", "--input", work.Path, "--output", Path.Combine(work.Path, "out"), flag, config, "--no-record");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains(expected, result.StandardError);
        Assert.DoesNotContain("   at ", result.StandardError);
    }

    [Fact]
    public void Export_of_a_folder_that_was_not_curated_is_a_clear_error()
    {
        using var work = new TemporaryDirectory();
        var result = LlamaCli.Run("data", "export", work.Path, "--out", Path.Combine(work.Path, "x.jsonl"));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("not a curated output folder", result.StandardError);
    }
}
