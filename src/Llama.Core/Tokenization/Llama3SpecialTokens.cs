namespace Llama.Core.Tokenization;

/// <summary>
/// The 256 special tokens Llama 3 places right after the base BPE ranks, in Meta's order
/// (llama-models <c>models/llama3/tokenizer.py</c>: eleven named tokens, then
/// <c>&lt;|reserved_special_token_2|&gt;</c>... until <c>num_reserved_special_tokens</c> = 256 in all).
/// </summary>
public static class Llama3SpecialTokens
{
    /// <summary>How many special tokens Llama 3 reserves (Meta's <c>num_reserved_special_tokens</c>).</summary>
    public const int Count = 256;

    /// <summary>Start of every sequence.</summary>
    public const string BeginOfText = "<|begin_of_text|>";
    /// <summary>End of a document (pretraining EOS).</summary>
    public const string EndOfText = "<|end_of_text|>";
    /// <summary>Pad token used in fine-tuning.</summary>
    public const string FinetuneRightPad = "<|finetune_right_pad_id|>";
    /// <summary>Step marker.</summary>
    public const string StepId = "<|step_id|>";
    /// <summary>Opens a chat header (the role name).</summary>
    public const string StartHeader = "<|start_header_id|>";
    /// <summary>Closes a chat header.</summary>
    public const string EndHeader = "<|end_header_id|>";
    /// <summary>End of message: the model expects a tool result next (Llama 3.1 tool calling).</summary>
    public const string EndOfMessage = "<|eom_id|>";
    /// <summary>End of turn: a chat reply is complete.</summary>
    public const string EndOfTurn = "<|eot_id|>";
    /// <summary>Marks a Python tool call.</summary>
    public const string PythonTag = "<|python_tag|>";

    /// <summary>The reserved token with Meta's index <paramref name="index"/>.</summary>
    public static string Reserved(int index) => $"<|reserved_special_token_{index}|>";

    /// <summary>All 256 special strings in id order (index i gets id numBaseTokens + i).</summary>
    public static IReadOnlyList<string> InIdOrder { get; } = BuildOrder();

    /// <summary>The special-token map Meta builds for a vocabulary of <paramref name="numBaseTokens"/> ranks.</summary>
    public static IReadOnlyDictionary<string, int> ForBaseVocabulary(int numBaseTokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(numBaseTokens);
        var map = new Dictionary<string, int>(Count, StringComparer.Ordinal);
        for (var i = 0; i < InIdOrder.Count; i++)
            map.Add(InIdOrder[i], numBaseTokens + i);
        return map;
    }

    private static string[] BuildOrder()
    {
        string[] named =
        [
            BeginOfText, EndOfText, Reserved(0), Reserved(1), FinetuneRightPad, StepId,
            StartHeader, EndHeader, EndOfMessage, EndOfTurn, PythonTag,
        ];
        var all = new string[Count];
        named.CopyTo(all, 0);
        // Meta: reserved_tokens = [f"<|reserved_special_token_{2 + i}|>" for i in range(256 - len(special_tokens))]
        for (var i = named.Length; i < Count; i++)
            all[i] = Reserved(2 + i - named.Length);
        return all;
    }
}
