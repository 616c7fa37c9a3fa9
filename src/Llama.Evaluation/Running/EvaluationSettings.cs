namespace Llama.Evaluation.Running;

/// <summary>
/// How to evaluate, for every task of a run: the few-shot count (null = each task's own), chat template or raw
/// text, the seed (few-shot draws, sampling), the item limit per task, the scoring batch size and window.
/// </summary>
public sealed record EvaluationSettings
{
    public int? NumFewshot { get; init; }
    public bool ChatTemplate { get; init; }
    public int Seed { get; init; } = 1234;
    public int? Limit { get; init; }
    public int BatchSize { get; init; } = 16;
    /// <summary>Longest input of one forward pass (rolling windows, truncation); capped by the model's max_position_embeddings.</summary>
    public int MaxLength { get; init; } = 2048;

    public void Validate()
    {
        if (NumFewshot is < 0) throw new ArgumentException($"--num-fewshot ({NumFewshot}) must be >= 0");
        if (Limit is < 1) throw new ArgumentException($"--limit ({Limit}) must be at least 1");
        if (BatchSize < 1) throw new ArgumentException($"--batch-size ({BatchSize}) must be at least 1");
        if (MaxLength < 2) throw new ArgumentException($"--max-length ({MaxLength}) must be at least 2");
    }
}
