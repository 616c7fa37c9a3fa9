using System.CommandLine;
using System.Globalization;
using Llama.Core.Config;
using Llama.Pretraining.Parallel;
using Llama.Pretraining.Parallel.ProcessGroups;
using Llama.Pretraining.Training;

namespace Llama.Cli.Commands;

/// <summary>
/// <c>llama pretrain --tp N --cp N --pp N --dp N</c>: the 4D layout flags. A layout of more than one rank
/// relaunches the same command under <c>mpirun</c>; inside an MPI job (mpirun, srun, an MPIJob) each rank joins
/// the world and runs its part; world rank 0 prints and writes the outputs.
/// </summary>
internal sealed class ParallelPretrainOptions
{
    private readonly Option<int> _tp = new("--tp") { Description = "Tensor-parallel degree (innermost mesh dimension)", DefaultValueFactory = _ => 1 };
    private readonly Option<int> _cp = new("--cp") { Description = "Context-parallel degree", DefaultValueFactory = _ => 1 };
    private readonly Option<int> _pp = new("--pp") { Description = "Pipeline-parallel degree (stages)", DefaultValueFactory = _ => 1 };
    private readonly Option<int> _dp = new("--dp") { Description = "Data-parallel degree (outermost; parameters sharded FSDP-style)", DefaultValueFactory = _ => 1 };
    private readonly Option<bool> _replicated = new("--dp-replicate") { Description = "Plain replicated data parallelism (all-reduce) instead of sharding" };
    private readonly Option<string> _schedule = new("--pp-schedule") { Description = "Pipeline schedule: 1f1b or gpipe", DefaultValueFactory = _ => "1f1b" };
    private readonly Option<int> _timeout = new("--collective-timeout") { Description = "Seconds a rank waits for its peers before it stops with an error", DefaultValueFactory = _ => 120 };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _tp, _cp, _pp, _dp, _replicated, _schedule, _timeout }) command.Options.Add(option);
    }

    public ParallelDimensions Dimensions(ParseResult parse) => new(parse.GetValue(_tp), parse.GetValue(_cp), parse.GetValue(_pp), parse.GetValue(_dp))
    {
        ShardedDataParallel = !parse.GetValue(_replicated),
        Schedule = parse.GetValue(_schedule)!.ToLowerInvariant() switch
        {
            "1f1b" => PipelineSchedule.OneForwardOneBackward,
            "gpipe" => PipelineSchedule.GPipe,
            var other => throw new ArgumentException($"--pp-schedule '{other}' is not 1f1b or gpipe"),
        },
    };

    /// <summary>
    /// Whether this invocation takes the parallel path: a layout of several ranks, a process inside an MPI job, or a
    /// resume of a parallel run's checkpoint (which may continue on one process).
    /// </summary>
    public bool IsParallel(ParseResult parse, PretrainRequest request) => Dimensions(parse).WorldSize > 1 || MpiProcessGroup.LaunchedByMpi
        || (request.Resume && ParallelPretrainRunner.HasCheckpoint(request.Output));

    public async Task<int> RunAsync(ParseResult parse, PretrainRequest request, int threads, IProgress<TrainingStep> progress, CancellationToken cancellation)
    {
        var dimensions = Dimensions(parse);
        if (!MpiProcessGroup.LaunchedByMpi && dimensions.WorldSize == 1)
        {
            // A parallel checkpoint resumed on one process: the same runner over a group of one.
            CommonOptions.ApplyThreads(threads);
            var single = await ParallelPretrainRunner.RunAsync(request, dimensions, new SingleProcessGroup(), progress, cancellation);
            Report(single!, dimensions);
            return 0;
        }
        if (!MpiProcessGroup.LaunchedByMpi)
        {
            // Refuse a layout the model cannot take before starting any rank (the vocabulary is checked on the ranks).
            dimensions.Validate(dimensions.WorldSize, LlamaPresets.Get(request.Config.Model) with { VocabSize = dimensions.Tp });
            int exit = await MpiLauncher.RunAsync(dimensions.WorldSize, cancellation);
            if (exit != 0) Console.Error.WriteLine($"error: the parallel run ({dimensions}) failed: mpirun exited with code {exit} (the ranks' errors are above)");
            return exit;
        }

        // One thread per rank unless told otherwise: ranks already share the cores.
        CommonOptions.ApplyThreads(threads > 0 ? threads : 1);
        var world = MpiProcessGroup.World(TimeSpan.FromSeconds(parse.GetValue(_timeout)));
        try
        {
            var outcome = await ParallelPretrainRunner.RunAsync(request, dimensions, world, world.Rank == 0 ? progress : null, cancellation);
            if (outcome is not null) Report(outcome, dimensions);
        }
        catch (Exception e)
        {
            // One line per failing rank, then stop every rank of the job: nobody is left waiting on a dead peer.
            Console.Error.WriteLine($"error: rank {world.Rank}: {e.Message}");
            Console.Error.Flush();
            MpiProcessGroup.AbortWorld(1);
            return 1;
        }
        world.Dispose();
        MpiProcessGroup.FinalizeMpi();
        return 0;
    }

    private static void Report(PretrainOutcome outcome, ParallelDimensions dimensions)
    {
        var r = outcome.Report;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"validation loss {r.FinalValidationLoss:0.000} nats/token (unigram baseline {r.UnigramBaseline:0.000}) after {r.Steps} steps, {r.TokensSeen:N0} tokens on {dimensions.WorldSize} ranks ({dimensions})"));
        Console.WriteLine($"model: {outcome.ModelDirectory}");
    }
}
