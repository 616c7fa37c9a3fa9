using System.CommandLine;
using System.Globalization;
using Llama.Alignment.Dpo;
using Llama.Alignment.Evaluation;
using Llama.Alignment.Rounds;
using Llama.Alignment.Stages;
using Llama.Alignment.Training;
using Llama.Core;
using Llama.Platform;
using Llama.Platform.Configuration;

namespace Llama.Cli.Commands;

/// <summary>
/// The alignment verbs: <c>llama align</c> runs the rounds (SFT → reward model → rejection sampling → DPO) end to
/// end; <c>llama sft|rm|rs|dpo</c> run one stage (<see cref="StageRunner"/>), each recorded as align records its steps.
/// Data: the synthetic tasks (<c>--tasks</c>, held-out split applied) and/or the user's JSONL (<c>--data</c> messages,
/// <c>--pairs</c> prompt/chosen/rejected). Settings come from one <see cref="AlignConfig"/> (<c>--config FILE</c>,
/// <c>--set path=value</c>).
/// </summary>
internal static class AlignCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Options every alignment verb shares.</summary>
    private sealed class Shared
    {
        public Option<string> Model { get; } = new("--model") { Description = "The model directory to start from (HF layout with tokenizer)", Required = true };
        public Option<string?> Config { get; } = new("--config") { Description = "Alignment config JSON (`llama align print-config` shows the defaults)" };
        public Option<string[]> Set { get; } = new("--set") { Description = "Override one config value by its JSON path, e.g. --set sft.training.steps=50 (repeatable)" };
        public Option<string?> Tasks { get; } = new("--tasks") { Description = $"Comma-separated tasks ({string.Join(", ", Llama.Alignment.Data.Synthetic.TaskSuite.Known)}); 'none' for only your JSONL" };
        public Option<string?> DataDir { get; } = new("--data-dir") { Description = "Folder with the quiz, FAQ and doctest files (default data/heldout)" };
        public Option<string> Output { get; } = new("--out") { Description = "Output folder", Required = true };
        public Option<string> Device { get; } = CommonOptions.Device();
        public Option<int> Threads { get; } = CommonOptions.Threads();
        public Option<bool> NoRecord { get; } = new("--no-record") { Description = "Do not record the runs in the metadata database" };
        public Option<string?> Name { get; } = new("--name") { Description = "Run name" };
        private readonly PlatformOptions _platform = new();

        public void AddTo(Command command)
        {
            foreach (var o in new Option[] { Model, Config, Set, Tasks, DataDir, Output, Device, Threads, NoRecord, Name }) command.Options.Add(o);
            _platform.AddTo(command);
        }

        /// <summary>Where the runs are recorded; null with <c>--no-record</c>.</summary>
        public PlatformSettings? Platform(ParseResult parse) => parse.GetValue(NoRecord) ? null : _platform.Resolve(parse);

        public StageRequest Request(ParseResult parse, AlignConfig config) =>
            new(parse.GetValue(Model)!, config, parse.GetValue(Output)!, parse.GetValue(Device)!, parse.GetValue(Name));

        public AlignConfig Resolve(ParseResult parse, Func<AlignConfig, AlignConfig>? adjust = null)
        {
            CommonOptions.ApplyThreads(parse.GetValue(Threads));
            var config = parse.GetValue(Config) is { } path ? AlignConfig.Load(path) : new AlignConfig();
            if (parse.GetValue(Tasks) is { } tasks)
                config = config with { Tasks = tasks == "none" ? [] : tasks.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) };
            if (parse.GetValue(DataDir) is { } dataDir) config = config with { DataFolder = dataDir };
            if (adjust is not null) config = adjust(config);
            config = JsonOverrides.Apply(config, parse.GetValue(Set) ?? [], AlignConfig.Json);
            config.Validate();
            return config;
        }
    }

    public static Command Create()
    {
        var shared = new Shared();
        var rounds = new Option<int?>("--rounds") { Description = "Rounds of SFT → RM → rejection sampling → DPO (default 1)" };
        var command = new Command("align", "Align a pretrained model: SFT, reward model, rejection sampling and DPO, in rounds") { rounds };
        shared.AddTo(command);
        command.SetAction(async (parse, cancellation) =>
        {
            var config = shared.Resolve(parse, c => parse.GetValue(rounds) is { } n ? c with { Rounds = n } : c);
            string output = parse.GetValue(shared.Output)!;
            var line = new ConsoleProgressLine();
            var progress = new SynchronousProgress<AlignProgress>(p =>
            {
                if (p.Total > 0) line.Show(p.Step / (double)p.Total, $"{p.Stage} {p.Step}/{p.Total}: {p.Detail}");
                else { line.Done(); Console.WriteLine($"{p.Stage}: {p.Detail}"); }
            });
            var outcome = await AlignRunner.RunAsync(new AlignRequest(parse.GetValue(shared.Model)!, config, output, parse.GetValue(shared.Device)!, parse.GetValue(shared.Name)),
                shared.Platform(parse), progress, cancellation);
            line.Done();
            Console.WriteLine(outcome.Report.ToMarkdown());
            Console.WriteLine($"model: {outcome.FinalModel}");
            Console.WriteLine($"report: {Path.Combine(output, "report.md")}");
            if (outcome.FinalModelArtifactId is { } id) Console.WriteLine($"model artifact {id}");
            return 0;
        });
        var print = new Command("print-config", "Print the default alignment config as JSON");
        print.SetAction(_ => { Console.WriteLine(new AlignConfig().ToJson()); return 0; });
        command.Subcommands.Add(print);
        return command;
    }

    public static Command CreateSft()
    {
        var shared = new Shared();
        var data = new Option<string?>("--data") { Description = "Your conversations (JSONL: {\"messages\": [...]})" };
        var command = new Command("sft", "Supervised fine-tuning on chat data (loss on assistant tokens only, packed rows)") { data };
        shared.AddTo(command);
        command.SetAction(async (parse, cancellation) =>
        {
            var config = shared.Resolve(parse, c => c with { SftJsonl = parse.GetValue(data) ?? c.SftJsonl });
            var outcome = await StageRunner.SftAsync(shared.Request(parse, config), shared.Platform(parse), StepLine(out var line), cancellation);
            line.Done();
            var result = outcome.Training;
            Console.WriteLine(string.Create(Inv, $"SFT: {result.Steps} steps on {result.Rows} packed rows ({result.Fit}); loss {result.FirstLoss:0.000} -> {result.FinalLoss:0.000}"));
            if (result.PretrainingText is { } text) Console.WriteLine($"pretraining text: {text}");
            PrintAccuracy(outcome.HeldOut);
            Console.WriteLine($"model: {outcome.Model}");
            PrintArtifact("model", outcome.ArtifactId);
            return 0;
        });
        return command;
    }

    public static Command CreateRewardModel()
    {
        var shared = new Shared();
        var pairs = new Option<string?>("--pairs") { Description = "Your preference pairs (JSONL: prompt, chosen, rejected)" };
        var command = new Command("rm", "Train a reward model (scalar head, Bradley-Terry loss) on preference pairs") { pairs };
        shared.AddTo(command);
        command.SetAction(async (parse, cancellation) =>
        {
            var config = shared.Resolve(parse, c => c with { PreferencesJsonl = parse.GetValue(pairs) ?? c.PreferencesJsonl });
            var outcome = await StageRunner.RewardModelAsync(shared.Request(parse, config), shared.Platform(parse), StepLine(out var line), cancellation);
            line.Done();
            var (result, accuracy) = (outcome.Training, outcome.HeldOut);
            Console.WriteLine(string.Create(Inv, $"reward model: {result.Steps} steps ({result.Fit}); loss {result.FirstLoss:0.000} -> {result.FinalLoss:0.000}"));
            Console.WriteLine(string.Create(Inv, $"held-out pairs: {accuracy.Pairs}, accuracy {accuracy.Accuracy:P1}, mean margin {accuracy.MeanMargin:0.000}"));
            Console.WriteLine($"reward model: {outcome.Model}");
            PrintArtifact("reward-model", outcome.ArtifactId);
            return 0;
        });
        return command;
    }

    public static Command CreateRejectionSampling()
    {
        var shared = new Shared();
        var reward = new Option<string?>("--reward") { Description = "A reward model directory (llama rm) to score tasks without a verifier and break ties" };
        var samples = new Option<int?>("--samples") { Description = "Samples per prompt, K (default 10; the paper: 10-30)" };
        var command = new Command("rs", "Rejection sampling: K samples per training prompt, the best kept as SFT data, best-vs-worst as pairs") { reward, samples };
        shared.AddTo(command);
        command.SetAction(async (parse, cancellation) =>
        {
            var config = shared.Resolve(parse, c => parse.GetValue(samples) is { } k ? c with { RejectionSampling = c.RejectionSampling with { SamplesPerPrompt = k } } : c);
            var line = new ConsoleProgressLine();
            var outcome = await StageRunner.RejectionSamplingAsync(shared.Request(parse, config) with { RewardModel = parse.GetValue(reward) }, shared.Platform(parse),
                new SynchronousProgress<(int Done, int Total)>(p => line.Show(p.Done / (double)p.Total, $"{p.Done}/{p.Total} prompts")), cancellation);
            line.Done();
            var result = outcome.Sampling;
            Console.WriteLine($"{result.Prompts} prompts x {config.RejectionSampling.SamplesPerPrompt} samples: {result.CorrectSamples} of {result.Samples} correct; kept {result.Kept.Count} replies, {result.Pairs.Count} pairs");
            Console.WriteLine($"data: {Path.Combine(outcome.Folder, "sft.jsonl")}, {Path.Combine(outcome.Folder, "pairs.jsonl")}");
            PrintArtifact("dataset", outcome.ArtifactId);
            return 0;
        });
        return command;
    }

    public static Command CreateDpo()
    {
        var shared = new Shared();
        var pairs = new Option<string?>("--pairs") { Description = "Your preference pairs (JSONL: prompt, chosen, rejected)" };
        var loss = new Option<PreferenceLossKind?>("--loss") { Description = "sigmoid (DPO, default), ipo or hinge" };
        var command = new Command("dpo", "Direct preference optimisation against the frozen starting model (beta 0.1, formatting tokens masked, 0.2 NLL)") { pairs, loss };
        shared.AddTo(command);
        command.SetAction(async (parse, cancellation) =>
        {
            var config = shared.Resolve(parse, c =>
            {
                c = c with { PreferencesJsonl = parse.GetValue(pairs) ?? c.PreferencesJsonl };
                return parse.GetValue(loss) is { } kind ? c with { Dpo = c.Dpo with { Loss = kind } } : c;
            });
            var outcome = await StageRunner.DpoAsync(shared.Request(parse, config), shared.Platform(parse), StepLine(out var line), cancellation);
            line.Done();
            var (result, metrics, before) = (outcome.Training, outcome.HeldOut, outcome.HeldOutBefore);
            Console.WriteLine(string.Create(Inv, $"DPO ({config.Dpo.Loss}): {result.Steps} steps ({result.Fit}); loss {result.FirstLoss:0.000} -> {result.FinalLoss:0.000}"));
            Console.WriteLine(string.Create(Inv, $"held-out pairs: {metrics.Pairs}; preference accuracy {before.LogProbAccuracy:P1} -> {metrics.LogProbAccuracy:P1}, log-prob margin {before.LogProbMargin:0.00} -> {metrics.LogProbMargin:0.00}"));
            Console.WriteLine(string.Create(Inv, $"implicit reward against the starting model: accuracy {metrics.RewardAccuracy:P1}, margin {metrics.RewardMargin:0.000}"));
            PrintAccuracy(outcome.Accuracy);
            Console.WriteLine($"model: {outcome.Model}");
            PrintArtifact("model", outcome.ArtifactId);
            return 0;
        });
        return command;
    }

    private static void PrintArtifact(string kind, Guid? id)
    {
        if (id is { } recorded) Console.WriteLine($"{kind} artifact {recorded}");
    }

    private static SynchronousProgress<TrainingStep> StepLine(out ConsoleProgressLine line)
    {
        var l = line = new ConsoleProgressLine();
        return new SynchronousProgress<TrainingStep>(s => l.Show(s.Step / (double)s.TotalSteps,
            string.Create(Inv, $"{s.Stage} step {s.Step}/{s.TotalSteps}: loss {s.Loss:0.000}, lr {s.LearningRate:0.0e0}")
            + string.Concat((s.Extra ?? new Dictionary<string, double>()).Select(e => string.Create(Inv, $", {e.Key} {e.Value:0.000}")))));
    }

    private static void PrintAccuracy(IEnumerable<TaskScore> scores)
    {
        foreach (var s in scores)
            Console.WriteLine(string.Create(Inv, $"held-out {s.Task}: {s.Correct}/{s.Prompts} correct ({s.Accuracy:P1})"));
    }
}
