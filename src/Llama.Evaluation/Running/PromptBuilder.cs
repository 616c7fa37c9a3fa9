using Llama.Core.Tokenization;
using Llama.Evaluation.Tasks;

namespace Llama.Evaluation.Running;

/// <summary>
/// Turns documents into token ids the way the harness does: few-shot examples (drawn per document with a fixed
/// seed, never the document itself) joined by the few-shot delimiter before the document's text; raw text after BOS,
/// or the whole prompt as one user turn of the Llama 3 chat template. A continuation is split off as
/// lm_eval's <c>_encode_pair</c> does: trailing spaces of the context move to the continuation, the pair is encoded
/// together, and the continuation is what follows the context's own encoding.
/// </summary>
public sealed class PromptBuilder(TaskDefinition task, TaskDocuments documents, PromptFormat format, Llama3Tokenizer tokenizer)
{
    private readonly string _what = task.SourceFile ?? $"task {task.Task}";

    public PromptFormat Format { get; } = format;

    /// <summary>The prompt text for <paramref name="document"/> (the <paramref name="index"/>-th scored one), few-shot examples included.</summary>
    public string ContextText(EvalDocument document, int index)
    {
        string text = document.Render(task.DocToText, _what);
        if (Format.NumFewshot == 0) return text;
        var pool = (documents.Fewshot.Count > 0 ? documents.Fewshot : documents.Test).Where(d => !ReferenceEquals(d, document)).ToList();
        if (pool.Count < Format.NumFewshot)
            throw new InvalidOperationException($"task {task.Task}: {Format.NumFewshot} few-shot examples asked for, but its few-shot pool has {pool.Count}");
        var random = new Random(HashCode.Combine(Format.Seed, index));
        var examples = pool.OrderBy(_ => random.Next()).Take(Format.NumFewshot)
            .Select(e => e.Render(task.DocToText, _what) + Format.TargetDelimiter + FewshotTargetText(e));
        return string.Join(Format.FewshotDelimiter, examples) + Format.FewshotDelimiter + text;
    }

    /// <summary>Token ids of a context: BOS + text (raw) or the chat template's user turn and assistant header.</summary>
    public IReadOnlyList<int> EncodeContext(string context) => Format.Formatting == PromptFormat.ChatTemplate
        ? Llama3ChatTemplate.Encode(tokenizer, [new ChatMessage("user", context)]).Ids
        : [tokenizer.BosId, .. tokenizer.Encode(context, allowSpecial: false)];

    /// <summary>Context and continuation ids for a loglikelihood request (lm_eval's _encode_pair).</summary>
    public (IReadOnlyList<int> Context, IReadOnlyList<int> Continuation) EncodePair(string context, string continuation)
    {
        if (Format.Formatting == PromptFormat.ChatTemplate)
            return (EncodeContext(context), tokenizer.Encode(continuation, allowSpecial: false));
        int spaces = context.Length - context.TrimEnd().Length;
        if (spaces > 0)
        {
            continuation = context[^spaces..] + continuation;
            context = context[..^spaces];
        }
        var whole = EncodeContext(context + continuation);
        var contextIds = EncodeContext(context);
        return (contextIds, whole.Skip(contextIds.Count).ToArray());
    }

    /// <summary>Multiple choice: the choices and the gold index (<c>doc_to_target</c> renders an index, or the gold choice's text).</summary>
    public (IReadOnlyList<string> Choices, int Gold) Choices(EvalDocument document)
    {
        var choices = document.List(task.DocToChoice, _what);
        string target = document.Render(task.DocToTarget, _what).Trim();
        int gold = int.TryParse(target, out var index) ? index : choices.ToList().IndexOf(target);
        if (gold < 0 || gold >= choices.Count)
            throw new TaskFileException(_what, null, $"document {document.Id}: target '{target}' is neither an index into its {choices.Count} choices nor one of them");
        return (choices, gold);
    }

    /// <summary>The reference answer of a generation task.</summary>
    public string Target(EvalDocument document) => document.Render(task.DocToTarget, _what);

    private string FewshotTargetText(EvalDocument example) => task.OutputType == OutputType.MultipleChoice && task.FewshotTarget is null
        ? Choices(example) is var (choices, gold) ? choices[gold] : ""
        : example.Render(task.FewshotTarget ?? task.DocToTarget, _what);
}
