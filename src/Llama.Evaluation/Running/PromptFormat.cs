namespace Llama.Evaluation.Running;

/// <summary>How prompts were built, recorded with every result: raw text or the Llama 3 chat template, the few-shot count and delimiters, the seed.</summary>
public sealed record PromptFormat(string Formatting, int NumFewshot, string TargetDelimiter, string FewshotDelimiter, int Seed)
{
    public const string Raw = "raw";
    public const string ChatTemplate = "chat-template";
}
