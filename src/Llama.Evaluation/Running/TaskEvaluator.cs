using Llama.Evaluation.Metrics;
using Llama.Evaluation.Requests;
using Llama.Evaluation.Sandbox;
using Llama.Evaluation.Tasks;

namespace Llama.Evaluation.Running;

/// <summary>
/// Runs one task against a model: builds its requests (multiple choice, rolling log-likelihood or generation),
/// scores them, and aggregates the harness's metrics with bootstrap standard errors.
/// </summary>
public sealed class TaskEvaluator(EvaluatedModel model, EvaluationSettings settings)
{
    public async Task<IReadOnlyList<TaskResult>> EvaluateAsync(TaskDefinition task, IProgress<EvaluationProgress>? progress = null, CancellationToken cancellation = default)
    {
        var documents = TaskCatalog.LoadDocuments(task);
        var format = new PromptFormat(settings.ChatTemplate ? PromptFormat.ChatTemplate : PromptFormat.Raw,
            settings.NumFewshot ?? task.NumFewshot, task.TargetDelimiter, task.FewshotDelimiter, settings.Seed);
        var prompts = new PromptBuilder(task, documents, format, model.Tokenizer);
        var notes = new List<string>();
        int available = documents.Test.Count;
        int wanted = settings.Limit is { } limit ? Math.Min(limit, available) : available;
        if (settings.Limit is { } asked && asked > available)
            notes.Add($"--limit {asked} is larger than the task ({available} items): all {available} were scored");
        var scored = documents.Test.Take(wanted).ToList();

        return task.OutputType switch
        {
            OutputType.MultipleChoice => [MultipleChoice(task, scored, prompts, available, notes, progress, cancellation)],
            OutputType.LoglikelihoodRolling => Rolling(task, scored, prompts, available, notes, progress, cancellation),
            _ => [await GenerateAsync(task, documents.Test, wanted, prompts, available, notes, progress, cancellation)],
        };
    }

    private TaskResult MultipleChoice(TaskDefinition task, List<EvalDocument> docs, PromptBuilder prompts, int available, List<string> notes,
        IProgress<EvaluationProgress>? progress, CancellationToken cancellation)
    {
        var requests = new List<LoglikelihoodRequest>();
        var items = new List<(IReadOnlyList<string> Choices, int Gold, int First)>();
        for (int i = 0; i < docs.Count; i++)
        {
            var (choices, gold) = prompts.Choices(docs[i]);
            string context = prompts.ContextText(docs[i], i);
            items.Add((choices, gold, requests.Count));
            foreach (var choice in choices)
            {
                var (c, x) = prompts.EncodePair(context, task.TargetDelimiter + choice);
                requests.Add(new LoglikelihoodRequest(c, x));
            }
        }
        var results = model.Loglikelihood(requests, Relay(task.Task, requests.Count, progress), cancellation);
        var acc = new List<double>();
        var accNorm = new List<double>();
        foreach (var (choices, gold, first) in items)
        {
            var lls = Enumerable.Range(first, choices.Count).Select(k => results[k].LogLikelihood).ToList();
            var (a, n) = MultipleChoiceScoring.Score(lls, choices, gold);
            acc.Add(a);
            accNorm.Add(n);
        }
        notes.Add($"chance level: {items.Average(i => 1.0 / i.Choices.Count):0.000}");
        return new TaskResult(task.Task, [Mean("acc", acc), Mean("acc_norm", accNorm)], docs.Count, available, prompts.Format, notes);
    }

    private List<TaskResult> Rolling(TaskDefinition task, List<EvalDocument> docs, PromptBuilder prompts, int available, List<string> notes,
        IProgress<EvaluationProgress>? progress, CancellationToken cancellation)
    {
        var texts = docs.Select(d => d.Render(task.DocToText, task.Task)).ToList();
        var ids = texts.Select(t => (IReadOnlyList<int>)model.Tokenizer.Encode(t, allowSpecial: false)).ToList();
        var totals = model.RollingLoglikelihood(ids, Relay(task.Task, ids.Sum(i => (i.Count + model.Scorer.MaxLength - 1) / model.Scorer.MaxLength), progress), cancellation);
        var items = texts.Select((t, i) => (Item: PerplexityItem.Of(t, totals[i]), Group: docs[i].Fields.TryGetValue("group", out var g) ? g.ToString()! : "all")).ToList();
        var results = new List<TaskResult> { PerplexityResult(task.Task, items.Select(i => i.Item).ToList(), available, prompts.Format, notes) };
        var groups = items.GroupBy(i => i.Group).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        if (groups.Count > 1)
            foreach (var group in groups)
                results.Add(PerplexityResult($"{task.Task}:{group.Key}", group.Select(i => i.Item).ToList(), group.Count(), prompts.Format, []));
        return results;
    }

    private static TaskResult PerplexityResult(string name, List<PerplexityItem> items, int available, PromptFormat format, List<string> notes) =>
        new(name,
        [
            new("word_perplexity", PerplexityScoring.WordPerplexity(items), BootstrapStandardError.Compute(items, PerplexityScoring.WordPerplexity)),
            new("byte_perplexity", PerplexityScoring.BytePerplexity(items), BootstrapStandardError.Compute(items, PerplexityScoring.BytePerplexity)),
            new("bits_per_byte", PerplexityScoring.BitsPerByte(items), BootstrapStandardError.Compute(items, PerplexityScoring.BitsPerByte)),
        ], items.Count, available, format, notes);

    private async Task<TaskResult> GenerateAsync(TaskDefinition task, IReadOnlyList<EvalDocument> all, int wanted, PromptBuilder prompts, int available,
        List<string> notes, IProgress<EvaluationProgress>? progress, CancellationToken cancellation)
    {
        var g = task.Generation;
        var pattern = g.Regex is null ? null : new System.Text.RegularExpressions.Regex(g.Regex);
        var sandbox = g.Match == AnswerMatch.Execution ? PythonSandbox.Get() : null;
        if (sandbox is not null) notes.Add($"sandbox: {sandbox.Describe()}");
        var firstCorrect = new List<double>();
        var correctCounts = new List<int>();
        int skipped = 0;
        for (int i = 0; i < all.Count && firstCorrect.Count < wanted; i++)
        {
            cancellation.ThrowIfCancellationRequested();
            var doc = all[i];
            string target = prompts.Target(doc);
            if (sandbox is not null)
            {
                // The truth is what the program prints here, not what the documentation says it printed.
                var reference = await sandbox.RunAsync(ExecutionCheck.Program(doc), TimeSpan.FromSeconds(g.TimeoutSeconds), cancellation);
                if (!reference.Succeeded || ExecutionCheck.Normalize(reference.Stdout) != ExecutionCheck.Normalize(target)) { skipped++; continue; }
                target = reference.Stdout;
            }
            var context = prompts.EncodeContext(prompts.ContextText(doc, firstCorrect.Count));
            int correct = 0;
            for (int s = 0; s < g.Samples; s++)
            {
                string generated = model.GenerateUntil(new GenerateUntilRequest(context, g.Until, g.MaxGenToks, g.Temperature, settings.Seed + s), cancellation);
                string answer = AnswerMatching.Extract(generated, pattern);
                bool ok = g.Match switch
                {
                    AnswerMatch.Numeric => AnswerMatching.NumericMatch(answer, target),
                    AnswerMatch.Execution => ExecutionCheck.Normalize(answer) == ExecutionCheck.Normalize(target),
                    _ => AnswerMatching.ExactMatch(answer, target),
                };
                if (ok) correct++;
                if (s == 0) firstCorrect.Add(ok ? 1 : 0);
            }
            correctCounts.Add(correct);
            progress?.Report(new EvaluationProgress(task.Task, firstCorrect.Count, wanted));
        }
        if (skipped > 0) notes.Add($"{skipped} item(s) skipped: their program failed or printed something else than documented when run alone in the sandbox");
        if (firstCorrect.Count < wanted) notes.Add($"only {firstCorrect.Count} usable items (of {wanted} asked for)");
        string matchName = g.Match switch { AnswerMatch.Numeric => "numeric_match", AnswerMatch.Execution => "execution_match", _ => "exact_match" };
        var metrics = new List<MetricResult> { Mean(matchName, firstCorrect) };
        if (g.Match == AnswerMatch.Execution || g.Samples > 1)
            foreach (var k in g.PassK)
                metrics.Add(Mean($"pass@{k}", correctCounts.Select(c => PassAtK.Estimate(g.Samples, c, k)).ToList()));
        return new TaskResult(task.Task, metrics, firstCorrect.Count, available, prompts.Format, notes);
    }

    private static MetricResult Mean(string name, List<double> scores)
    {
        var (value, se) = BootstrapStandardError.Mean(scores);
        return new MetricResult(name, value, se);
    }

    private static IProgress<int> Relay(string task, int total, IProgress<EvaluationProgress>? progress) =>
        new SynchronousProgress(done => progress?.Report(new EvaluationProgress(task, done, total)));

    private sealed class SynchronousProgress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}
