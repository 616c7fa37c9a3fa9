using System.Diagnostics;
using System.Text.Json;
using Llama.Core.Checkpoints;
using Llama.Core.Tests.Checkpoints;
using static TorchSharp.torch;

namespace Llama.Core.Tests.Cli;

/// <summary>
/// `llama pretrain --tp/--cp/--pp/--dp` over real mpirun (OpenMPI, one thread per rank): the losses and final
/// weights of 10 steps match the single-process run within 1e-4 relative, bad layouts are refused with one clear
/// line, and a rank killed or stuck mid-run stops the others instead of leaving them waiting.
/// </summary>
public sealed class CliParallelPretrainTests : IClassFixture<CliParallelPretrainTests.CuratedData>
{
    private readonly CuratedData _data;

    public CliParallelPretrainTests(CuratedData data) => _data = data;

    private string[] Args(string output, params string[] layout) =>
        ["pretrain", "--data", _data.Folder, "--preset", "smoke", "--steps", "10", "--out", output, "--no-record", "--threads", "1", .. layout];

    [Fact]
    public void Sharded_data_parallel_over_mpirun_matches_the_single_process_run()
    {
        var parallel = LlamaCli.Run(Args(Path.Combine(_data.Work, "dp2"), "--dp", "2"));
        Assert.True(parallel.ExitCode == 0, parallel.StandardError);
        AssertSameTraining(_data.SingleProcess, Path.Combine(_data.Work, "dp2"));
    }

    [Fact]
    public void Tensor_pipeline_and_data_parallel_on_eight_ranks_match_the_single_process_run()
    {
        var parallel = LlamaCli.Run(Args(Path.Combine(_data.Work, "w8"), "--tp", "2", "--pp", "2", "--cp", "1", "--dp", "2"));
        Assert.True(parallel.ExitCode == 0, parallel.StandardError);
        Assert.Contains("on 8 ranks (tp2-cp1-pp2-dp2)", parallel.StandardOutput);
        AssertSameTraining(_data.SingleProcess, Path.Combine(_data.Work, "w8"));
    }

    [Theory]
    [InlineData("--tp", "3", "num_attention_heads (4) is not divisible by tp (3)")]
    [InlineData("--pp", "3", "num_hidden_layers (4) is not divisible by pp (3)")]
    public void A_layout_the_model_cannot_take_is_refused_before_any_rank_starts(string flag, string degree, string message)
    {
        var result = LlamaCli.Run(Args(Path.Combine(_data.Work, "bad" + degree), flag, degree));
        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"error: {message}", result.StandardError.Trim());
    }

    [Fact]
    public void A_mesh_whose_product_is_not_the_world_size_stops_every_rank_with_a_clear_error()
    {
        var (exit, _, error) = Mpirun(3, Args(Path.Combine(_data.Work, "mismatch"), "--dp", "2"));
        Assert.NotEqual(0, exit);
        Assert.Contains("error: rank 0: the mesh tp 1 x cp 1 x pp 1 x dp 2 = 2 ranks does not match the world size 3", error);
    }

    /// <summary>
    /// KILL: the rank dies and mpirun ends the others. STOP: the rank hangs without dying, so only the survivors'
    /// collective timeout (10 s here) can notice; they stop the job with MPI_Abort.
    /// </summary>
    [Theory]
    [InlineData("KILL", "mpirun exited with code")]
    [InlineData("STOP", "did not complete within 10 s; a peer rank has died or is stuck")]
    public async Task A_rank_killed_or_stuck_mid_run_stops_the_others_with_an_error_instead_of_a_hang(string signal, string expected)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        foreach (var arg in (string[])[Path.Combine(AppContext.BaseDirectory, "llama.dll"), .. Args(Path.Combine(_data.Work, "signal-" + signal), "--dp", "2", "--collective-timeout", "10")])
            start.ArgumentList.Add(arg);
        start.ArgumentList[start.ArgumentList.IndexOf("10")] = "400";
        using var launcher = Process.Start(start)!;
        var stdout = launcher.StandardOutput.ReadToEndAsync();
        // Progress lines go to stderr (one per step when redirected).
        var stderr = new System.Text.StringBuilder();
        var reachedStep3 = new ManualResetEventSlim();
        launcher.ErrorDataReceived += (_, e) =>
        {
            lock (stderr) stderr.AppendLine(e.Data);
            if (e.Data?.Contains("step 3/") == true) reachedStep3.Set();
        };
        launcher.BeginErrorReadLine();
        try
        {
            Assert.True(reachedStep3.Wait(TimeSpan.FromMinutes(2)), $"the run did not reach step 3: {stderr}");
            int rank = RankProcesses(launcher.Id).Last();
            using (var kill = Process.Start("kill", [$"-{signal}", rank.ToString()])) kill.WaitForExit();
            var stopped = Stopwatch.StartNew();
            Assert.True(launcher.WaitForExit(TimeSpan.FromSeconds(90)), "the surviving rank kept waiting");
            Assert.True(stopped.Elapsed < TimeSpan.FromSeconds(90));
            Assert.NotEqual(0, launcher.ExitCode);
            launcher.WaitForExit(); // drains the redirected streams
            Assert.Contains("error: the parallel run (tp1-cp1-pp1-dp2) failed: mpirun exited with code", stderr.ToString());
            Assert.Contains(expected, stderr.ToString());
            Assert.DoesNotContain("after 400 steps", await stdout);
        }
        finally
        {
            if (!launcher.HasExited) launcher.Kill(entireProcessTree: true);
        }
    }

    /// <summary>The ranks: children of the mpirun that the launcher started.</summary>
    private static List<int> RankProcesses(int launcher)
    {
        int mpirun = Children(launcher).Single();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        List<int> ranks;
        while ((ranks = Children(mpirun)).Count < 2 && DateTime.UtcNow < deadline) Thread.Sleep(100);
        return ranks;
    }

    private static List<int> Children(int parent) =>
        File.ReadAllText($"/proc/{parent}/task/{parent}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToList();

    private static (int Exit, string Output, string Error) Mpirun(int ranks, string[] args)
    {
        var start = new ProcessStartInfo("mpirun") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        foreach (var arg in (string[])["--allow-run-as-root", "--oversubscribe", "-x", "TERM=dumb", "-np", ranks.ToString(), "dotnet", Path.Combine(AppContext.BaseDirectory, "llama.dll"), .. args])
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2))) { process.Kill(entireProcessTree: true); throw new TimeoutException("mpirun did not finish in 2 minutes"); }
        return (process.ExitCode, output.Result, error.Result);
    }

    private static void AssertSameTraining(string expected, string actual)
    {
        double[] Losses(string output) => JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "report.json"))).RootElement
            .GetProperty("TrainLoss").EnumerateArray().Select(p => p.GetProperty("Loss").GetDouble()).ToArray();
        var (e, a) = (Losses(expected), Losses(actual));
        Assert.Equal(10, a.Length);
        for (int i = 0; i < e.Length; i++) Assert.True(Math.Abs(e[i] - a[i]) <= 1e-4 * Math.Abs(e[i]), $"step {i + 1}: {a[i]} vs single-process {e[i]}");
        using var x = SafetensorsReader.Open(Path.Combine(expected, "model", "model.safetensors"));
        using var y = SafetensorsReader.Open(Path.Combine(actual, "model", "model.safetensors"));
        foreach (var name in x.Names)
        {
            using var u = x.ReadTensor(name);
            using var v = y.ReadTensor(name);
            double relative = linalg.vector_norm(u - v).item<float>() / linalg.vector_norm(u).item<float>();
            Assert.True(relative <= 1e-4, $"{name}: relative L2 difference {relative:E2}");
        }
    }

    /// <summary>Curated Austen chapters and the single-process reference run, made once for the class.</summary>
    public sealed class CuratedData : IDisposable
    {
        private readonly TemporaryDirectory _work = new();

        public CuratedData()
        {
            string input = Path.Combine(Work, "in", "austen");
            Directory.CreateDirectory(input);
            foreach (var chapter in new[] { "chapter-002.txt", "chapter-003.txt", "chapter-004.txt", "chapter-005.txt", "chapter-006.txt", "chapter-007.txt" })
                File.Copy(Fixtures.RepositoryFile("data", "corpus", "austen", "pride-and-prejudice", chapter), Path.Combine(input, chapter));
            string config = Path.Combine(Work, "curation.json");
            File.WriteAllText(config, "{ \"tokenizerVocabSize\": 400 }");
            var curate = LlamaCli.Run("curate", "--input", Path.Combine(Work, "in"), "--output", Folder, "--config", config, "--no-record");
            if (curate.ExitCode != 0) throw new InvalidOperationException(curate.StandardError);
            var single = LlamaCli.Run("pretrain", "--data", Folder, "--preset", "smoke", "--steps", "10", "--out", SingleProcess, "--no-record", "--threads", "1");
            if (single.ExitCode != 0) throw new InvalidOperationException(single.StandardError);
        }

        public string Work => _work.Path;
        public string Folder => Path.Combine(Work, "curated");
        public string SingleProcess => Path.Combine(Work, "single");

        public void Dispose() => _work.Dispose();
    }
}
