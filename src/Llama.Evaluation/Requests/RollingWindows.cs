namespace Llama.Evaluation.Requests;

/// <summary>
/// <c>loglikelihood_rolling</c> as the harness computes it (lm_eval.utils.get_rolling_token_windows and
/// make_disjoint_window): a text longer than the model's window is cut into windows of at most
/// <c>maxLength</c> tokens; every token is predicted exactly once, the first after the prefix token, each later
/// window conditioned on up to <c>maxLength - predicted</c> tokens before it (with <c>contextLength</c> 1, the
/// default, windows do not overlap).
/// </summary>
public static class RollingWindows
{
    public static IReadOnlyList<LoglikelihoodRequest> Split(IReadOnlyList<int> tokens, int prefixToken, int maxLength, int contextLength = 1)
    {
        if (maxLength < 1) throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, "the window must hold at least one token");
        if (contextLength < 1 || contextLength > maxLength)
            throw new ArgumentOutOfRangeException(nameof(contextLength), contextLength, $"must be in [1, {maxLength}]");
        var windows = new List<LoglikelihoodRequest>();
        if (tokens.Count == 0) return windows;

        int predictionLength = maxLength - contextLength + 1;
        int first = Math.Min(maxLength, tokens.Count);
        // First window: [prefix] + tokens[..first-1] predicts tokens[..first].
        windows.Add(new LoglikelihoodRequest([prefixToken], Slice(tokens, 0, first)));
        int predicted = first;
        while (predicted < tokens.Count)
        {
            int length = Math.Min(tokens.Count - predicted, predictionLength);
            int end = predicted + length;
            // The model reads tokens[end-maxLength-1 .. end-1) (maxLength of them; end > maxLength here because the first
            // window predicted maxLength tokens); its context is the part before the predicted tokens.
            int inputStart = end - maxLength - 1;
            var context = Slice(tokens, inputStart, end - length - inputStart);
            windows.Add(new LoglikelihoodRequest(context, Slice(tokens, end - length, length)));
            predicted += length;
        }
        return windows;
    }

    private static int[] Slice(IReadOnlyList<int> tokens, int start, int count)
    {
        var slice = new int[count];
        for (int i = 0; i < count; i++) slice[i] = tokens[start + i];
        return slice;
    }
}
