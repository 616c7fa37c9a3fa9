using Llama.Core.Tokenization;

namespace Llama.Core.Generation;

/// <summary>A piece of generated text as it streams out; the last piece carries the finish reason.</summary>
public readonly record struct TextDelta(string Text, FinishReason Finish);

/// <summary>
/// Token generation turned into text: decodes incrementally (never splitting a UTF-8 character) and ends at
/// a stop string, holding back any tail that could still become one so no part of a stop string is printed.
/// Special tokens (transformers' <c>skip_special_tokens</c>) and stop tokens are not printed; stop tokens end generation.
/// </summary>
public sealed class StreamingTextGenerator(LlamaGenerator generator, Llama3Tokenizer tokenizer)
{
    public IEnumerable<TextDelta> Generate(IReadOnlyList<int> promptIds, SamplingOptions options, CancellationToken cancellation = default)
    {
        var decoder = tokenizer.CreateStreamingDecoder();
        var stopIds = options.StopTokenIds.ToHashSet();
        string pending = "";
        foreach (var token in generator.Generate(promptIds, options, cancellation))
        {
            if (!tokenizer.IsSpecial(token.Id) && !stopIds.Contains(token.Id)) pending += decoder.Append(token.Id);
            if (token.Finish != FinishReason.None) pending += decoder.Flush();

            int stopAt = FirstStopString(pending, options.StopStrings);
            if (stopAt >= 0)
            {
                yield return new TextDelta(pending[..stopAt], FinishReason.Stop);
                yield break;
            }
            if (token.Finish != FinishReason.None)
            {
                yield return new TextDelta(pending, token.Finish);
                yield break;
            }
            int hold = LongestStopPrefixSuffix(pending, options.StopStrings);
            if (pending.Length - hold > 0)
            {
                yield return new TextDelta(pending[..^hold], FinishReason.None);
                pending = pending[^hold..];
            }
        }
        if (pending.Length > 0) yield return new TextDelta(pending, FinishReason.Length);
    }

    private static int FirstStopString(string text, IReadOnlyList<string> stops)
    {
        int first = -1;
        foreach (var stop in stops)
        {
            int at = text.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && (first < 0 || at < first)) first = at;
        }
        return first;
    }

    /// <summary>Length of the longest end of <paramref name="text"/> that begins some stop string.</summary>
    private static int LongestStopPrefixSuffix(string text, IReadOnlyList<string> stops)
    {
        int best = 0;
        foreach (var stop in stops)
            for (int k = Math.Min(stop.Length - 1, text.Length); k > best; k--)
                if (text.AsSpan(text.Length - k).SequenceEqual(stop.AsSpan(0, k))) { best = k; break; }
        return best;
    }
}
