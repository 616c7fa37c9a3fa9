using Llama.Core.Tokenization;

namespace Llama.Core.Generation;

/// <summary>A piece of generated text as it streams out; the last piece carries the finish reason.</summary>
public readonly record struct TextDelta(string Text, FinishReason Finish);

/// <summary>
/// Token generation turned into text (<see cref="GeneratedTextStream"/>): decodes incrementally and ends at a
/// stop string without printing any part of it; stop tokens end generation.
/// </summary>
public sealed class StreamingTextGenerator(LlamaGenerator generator, Llama3Tokenizer tokenizer)
{
    public IEnumerable<TextDelta> Generate(IReadOnlyList<int> promptIds, SamplingOptions options, CancellationToken cancellation = default)
    {
        var text = new GeneratedTextStream(tokenizer, options.StopTokenIds, options.StopStrings);
        foreach (var token in generator.Generate(promptIds, options, cancellation))
        {
            if (text.Push(token) is { } delta) yield return delta;
            if (text.Finished) yield break;
        }
        if (text.Flush() is { } rest) yield return rest;
    }
}
