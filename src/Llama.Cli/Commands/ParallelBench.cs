using System.CommandLine;
using System.Globalization;
using Llama.Core.Config;
using Llama.Pretraining.Parallel;
using Llama.Pretraining.Parallel.ProcessGroups;

namespace Llama.Cli.Commands;

/// <summary>
/// <c>llama bench parallel [--layouts tp2,pp2,...]</c>: for each layout, training tokens/s over all ranks and world
/// rank 0's bytes communicated per step, measured by the process groups beside the analytical figure
/// (<see cref="CommunicationModel"/>). Each layout runs as its own <c>mpirun</c> job, one thread per rank.
/// </summary>
internal static class ParallelBench
{
    private const string DefaultLayouts = "tp1-cp1-pp1-dp1,tp1-cp1-pp1-dp2,tp1-cp1-pp1-dp2-replicated,tp2-cp1-pp1-dp1,tp1-cp1-pp2-dp1,tp1-cp2-pp1-dp1,tp2-cp1-pp2-dp2";

    public static Command Create()
    {
        var preset = new Option<string>("--preset") { Description = "Model preset", DefaultValueFactory = _ => "smoke" };
        var layouts = new Option<string>("--layouts") { Description = "Comma-separated layouts tpA-cpB-ppC-dpD[-replicated][-gpipe]", DefaultValueFactory = _ => DefaultLayouts };
        var batch = new Option<int>("--batch") { Description = "Sequences per step", DefaultValueFactory = _ => 8 };
        var sequence = new Option<int>("--sequence") { Description = "Tokens per sequence", DefaultValueFactory = _ => 64 };
        var micro = new Option<int>("--micro-batch") { Description = "Sequences per micro-batch", DefaultValueFactory = _ => 2 };
        var steps = new Option<int>("--steps") { Description = "Timed steps (after one warm-up step)", DefaultValueFactory = _ => 5 };
        var command = new Command("parallel", "4D-parallel training throughput and bytes communicated per step, measured and analytical") { preset, layouts, batch, sequence, micro, steps };
        command.SetAction(async (parse, cancellation) =>
        {
            var config = LlamaPresets.Get(parse.GetValue(preset)!);
            var requested = parse.GetValue(layouts)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Parse).ToList();
            var (b, t, m, s) = (parse.GetValue(batch), parse.GetValue(sequence), parse.GetValue(micro), parse.GetValue(steps));
            if (b <= 0 || t <= 0 || m <= 0 || s <= 0) throw new ArgumentException("--batch, --sequence, --micro-batch and --steps must be positive");
            if (MpiProcessGroup.LaunchedByMpi)
            {
                // One rank of one layout's job.
                CommonOptions.ApplyThreads(1);
                using var world = MpiProcessGroup.World(TimeSpan.FromSeconds(120));
                var result = ParallelBenchmark.Run(config, requested.Single(), world, b, t, m, s);
                if (world.Rank == 0) Print(result);
                world.Dispose();
                MpiProcessGroup.FinalizeMpi();
                return 0;
            }
            Console.WriteLine($"{"layout",-28} {"ranks",5} {"tokens/s",10} {"bytes/step (rank 0)",20} {"analytical",12} {"ratio",6}   by kind (measured)");
            foreach (var layout in requested)
            {
                layout.Validate(layout.WorldSize, config);
                if (layout.WorldSize == 1)
                {
                    CommonOptions.ApplyThreads(1);
                    Print(ParallelBenchmark.Run(config, layout, new SingleProcessGroup(), b, t, m, s));
                    continue;
                }
                string[] args = ["bench", "parallel", "--preset", parse.GetValue(preset)!, "--layouts", layout.ToString(),
                    "--batch", b.ToString(CultureInfo.InvariantCulture), "--sequence", t.ToString(CultureInfo.InvariantCulture),
                    "--micro-batch", m.ToString(CultureInfo.InvariantCulture), "--steps", s.ToString(CultureInfo.InvariantCulture)];
                int exit = await MpiLauncher.RunAsync(layout.WorldSize, cancellation, args);
                if (exit != 0) throw new InvalidOperationException($"layout {layout}: mpirun exited with code {exit}");
            }
            return 0;
        });
        return command;
    }

    private static void Print(ParallelBenchmarkResult r)
    {
        var inv = CultureInfo.InvariantCulture;
        string kinds = string.Join(", ", r.MeasuredByKind.Where(kv => kv.Value > 0).Select(kv => string.Create(inv, $"{kv.Key} {kv.Value:N0}")));
        double ratio = r.AnalyticalBytesPerStep > 0 ? (double)r.MeasuredBytesPerStep / r.AnalyticalBytesPerStep : 1;
        Console.WriteLine(string.Create(inv, $"{r.Layout,-28} {r.Layout.WorldSize,5} {r.TokensPerSecond,10:N0} {r.MeasuredBytesPerStep,20:N0} {r.AnalyticalBytesPerStep,12:N0} {ratio,6:0.000}   {kinds}"));
    }

    /// <summary>Reads <c>tp2-cp1-pp2-dp2[-replicated][-gpipe]</c>, the form <see cref="ParallelDimensions.ToString"/> writes.</summary>
    internal static ParallelDimensions Parse(string text)
    {
        int tp = 1, cp = 1, pp = 1, dp = 1;
        bool replicated = false, gpipe = false;
        foreach (var part in text.Split('-'))
        {
            if (part == "replicated") { replicated = true; continue; }
            if (part == "gpipe") { gpipe = true; continue; }
            int digits = part.IndexOfAny("0123456789".ToCharArray());
            if (digits <= 0 || !int.TryParse(part[digits..], out int value)) throw new ArgumentException($"layout '{text}': cannot read '{part}' (expected e.g. tp2-cp1-pp2-dp2)");
            switch (part[..digits])
            {
                case "tp": tp = value; break;
                case "cp": cp = value; break;
                case "pp": pp = value; break;
                case "dp": dp = value; break;
                default: throw new ArgumentException($"layout '{text}': unknown dimension '{part[..digits]}' (tp, cp, pp, dp)");
            }
        }
        return new ParallelDimensions(tp, cp, pp, dp) { ShardedDataParallel = !replicated, Schedule = gpipe ? PipelineSchedule.GPipe : PipelineSchedule.OneForwardOneBackward };
    }
}
