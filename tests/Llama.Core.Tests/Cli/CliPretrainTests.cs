using System.Text.Json;
using Llama.Core.Tests.Checkpoints;

namespace Llama.Core.Tests.Cli;

/// <summary>`llama pretrain` as a user runs it: on a freshly curated folder, killed with SIGKILL and resumed.</summary>
public class CliPretrainTests
{
    private static double[] TrainLosses(string output) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "report.json"))).RootElement
            .GetProperty("TrainLoss").EnumerateArray().Select(p => p.GetProperty("Loss").GetDouble()).ToArray();

    [Fact]
    public void A_run_killed_with_sigkill_and_resumed_reproduces_the_uninterrupted_losses()
    {
        using var work = new TemporaryDirectory();
        string input = Path.Combine(work.Path, "in", "austen");
        Directory.CreateDirectory(input);
        foreach (var chapter in new[] { "chapter-002.txt", "chapter-003.txt", "chapter-004.txt", "chapter-005.txt", "chapter-006.txt", "chapter-007.txt" })
            File.Copy(Fixtures.RepositoryFile("data", "corpus", "austen", "pride-and-prejudice", chapter), Path.Combine(input, chapter));
        string config = Path.Combine(work.Path, "curation.json");
        File.WriteAllText(config, "{ \"tokenizerVocabSize\": 400 }");
        string curated = Path.Combine(work.Path, "curated");
        var curate = LlamaCli.Run("curate", "--input", Path.Combine(work.Path, "in"), "--output", curated, "--config", config, "--no-record");
        Assert.True(curate.ExitCode == 0, curate.StandardError);

        string[] Args(string output) => ["pretrain", "--data", curated, "--preset", "smoke", "--steps", "60", "--out", output, "--no-record", "--threads", "1"];
        string whole = Path.Combine(work.Path, "whole"), killed = Path.Combine(work.Path, "killed");
        var uninterrupted = LlamaCli.Run(Args(whole));
        Assert.True(uninterrupted.ExitCode == 0, uninterrupted.StandardError);

        using (var process = LlamaCli.Start(Args(killed)))
        {
            string marker = Path.Combine(killed, "checkpoints", "step-00000020", "COMPLETE");
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (!File.Exists(marker) && !process.HasExited && DateTime.UtcNow < deadline) Thread.Sleep(20);
            Assert.True(File.Exists(marker), "no checkpoint at step 20");
            Assert.False(process.HasExited, "the run finished before it could be killed");
            process.Kill();   // SIGKILL on Linux: no chance to clean up
            process.WaitForExit();
        }
        Assert.False(File.Exists(Path.Combine(killed, "report.json")));
        var resumed = LlamaCli.Run([.. Args(killed), "--resume"]);
        Assert.True(resumed.ExitCode == 0, resumed.StandardError);

        Assert.Equal(TrainLosses(whole), TrainLosses(killed));
        var generate = LlamaCli.Run("generate", "--model", Path.Combine(killed, "model"), "--prompt", "It is a truth", "--max-new-tokens", "8", "--temperature", "0");
        Assert.True(generate.ExitCode == 0, generate.StandardError);
    }
}
