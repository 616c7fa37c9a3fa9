using Llama.Core.Tokenization;

namespace Llama.Core.Generation;

/// <summary>
/// Generated tokens turned into text one token at a time: decodes incrementally (never splitting a UTF-8
/// character) and ends at a stop string, holding back any tail that could still become one so no part of a stop
/// string is shown. Special tokens (transformers' <c>skip_special_tokens</c>) and stop tokens print nothing.
/// Shared by <see cref="StreamingTextGenerator"/> and servers that receive tokens from a batching engine.
/// </summary>
public sealed class GeneratedTextStream(Llama3Tokenizer tokenizer, IEnumerable<int> stopTokenIds, IReadOnlyList<string> stopStrings)
{
    private readonly StreamingDecoder _decoder = tokenizer.CreateStreamingDecoder();
    private readonly HashSet<int> _stopIds = stopTokenIds.ToHashSet();
    private string _pending = "";

    /// <summary>True once a stop string was found or a token carried a finish reason: later tokens are ignored.</summary>
    public bool Finished { get; private set; }

    /// <summary>The text <paramref name="token"/> lets us show now (null when all of it is held back).</summary>
    public TextDelta? Push(GeneratedToken token)
    {
        if (Finished) return null;
        if (!tokenizer.IsSpecial(token.Id) && !_stopIds.Contains(token.Id)) _pending += _decoder.Append(token.Id);
        if (token.Finish != FinishReason.None) _pending += _decoder.Flush();

        int stopAt = FirstStopString(_pending, stopStrings);
        if (stopAt >= 0) return End(_pending[..stopAt], FinishReason.Stop);
        if (token.Finish != FinishReason.None) return End(_pending, token.Finish);
        int hold = LongestStopPrefixSuffix(_pending, stopStrings);
        if (_pending.Length - hold == 0) return null;
        var shown = _pending[..^hold];
        _pending = _pending[^hold..];
        return new TextDelta(shown, FinishReason.None);
    }

    /// <summary>Ends a stream whose tokens stopped without a finish reason: the held-back text, if any.</summary>
    public TextDelta? Flush(FinishReason finish = FinishReason.Length) =>
        Finished || _pending.Length == 0 ? null : End(_pending, finish);

    private TextDelta End(string text, FinishReason finish)
    {
        Finished = true;
        _pending = "";
        return new TextDelta(text, finish);
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
