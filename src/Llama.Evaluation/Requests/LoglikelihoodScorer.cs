using Llama.Core.Model;
using static TorchSharp.torch;

namespace Llama.Evaluation.Requests;

/// <summary>
/// Answers <see cref="LoglikelihoodRequest"/>s in batches: each request's input is
/// <c>(context + continuation)[-(maxLength+1):][:-1]</c> (the harness's left truncation), a batch is right-padded
/// into one [B, T] forward pass, and the continuation tokens' log-probabilities are gathered from its log-softmax.
/// Padding sits after every real token, so causal attention keeps it from changing any scored position.
/// </summary>
public sealed class LoglikelihoodScorer(LlamaModel model, int maxLength, int batchSize)
{
    public LlamaModel Model { get; } = model;
    /// <summary>The longest input one forward pass takes (the model's window for this evaluation).</summary>
    public int MaxLength { get; } = maxLength > 0 ? maxLength : throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, "must be positive");
    public int BatchSize { get; } = batchSize > 0 ? batchSize : throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "must be positive");

    /// <summary>Scores every request; results are in request order. <paramref name="progress"/> gets the number done so far.</summary>
    public LoglikelihoodResult[] Score(IReadOnlyList<LoglikelihoodRequest> requests, IProgress<int>? progress = null, CancellationToken cancellation = default)
    {
        for (int i = 0; i < requests.Count; i++)
        {
            if (requests[i].Context.Count == 0) throw new ArgumentException($"request {i}: the context is empty (score a text's start after the prefix token)", nameof(requests));
            if (requests[i].Continuation.Count == 0) throw new ArgumentException($"request {i}: the continuation is empty", nameof(requests));
            if (requests[i].Continuation.Count > MaxLength)
                throw new ArgumentException($"request {i}: the continuation has {requests[i].Continuation.Count} tokens, more than the window of {MaxLength}", nameof(requests));
        }
        // Longest first (as the harness orders them): similar lengths share a batch and pad little.
        var order = Enumerable.Range(0, requests.Count).OrderByDescending(i => requests[i].Context.Count + requests[i].Continuation.Count).ToArray();
        var results = new LoglikelihoodResult[requests.Count];
        using var noGrad = no_grad();
        Model.eval();
        for (int start = 0; start < order.Length; start += BatchSize)
        {
            cancellation.ThrowIfCancellationRequested();
            var batch = order.AsSpan(start, Math.Min(BatchSize, order.Length - start)).ToArray();
            ScoreBatch(requests, batch, results);
            progress?.Report(start + batch.Length);
        }
        return results;
    }

    private void ScoreBatch(IReadOnlyList<LoglikelihoodRequest> requests, int[] batch, LoglikelihoodResult[] results)
    {
        using var scope = NewDisposeScope();
        var inputs = batch.Select(i => InputOf(requests[i])).ToArray();
        int width = inputs.Max(x => x.Length);
        var ids = new long[batch.Length * width]; // padded with id 0: never attended to by a real position
        for (int b = 0; b < batch.Length; b++)
            for (int t = 0; t < inputs[b].Length; t++) ids[b * width + t] = inputs[b][t];
        var logits = Model.Forward(tensor(ids, [batch.Length, width], ScalarType.Int64, Model.Device)); // [B, T, V]
        var logProbs = nn.functional.log_softmax(logits.to(ScalarType.Float32), -1);

        for (int b = 0; b < batch.Length; b++)
        {
            var continuation = requests[batch[b]].Continuation;
            int n = continuation.Count;
            // The last n input positions predict the n continuation tokens.
            var rows = logProbs[b].narrow(0, inputs[b].Length - n, n); // [n, V]
            var target = tensor(continuation.Select(x => (long)x).ToArray(), ScalarType.Int64, Model.Device);
            double sum = rows.gather(1, target.unsqueeze(1)).sum().to(ScalarType.Float64).cpu().item<double>();
            bool greedy = rows.argmax(1).eq(target).all().cpu().item<bool>();
            results[batch[b]] = new LoglikelihoodResult(sum, greedy);
        }
    }

    /// <summary>The tokens fed to the model: context and continuation without the last token, at most <see cref="MaxLength"/> from the right.</summary>
    internal int[] InputOf(LoglikelihoodRequest request)
    {
        int total = request.Context.Count + request.Continuation.Count - 1;
        int skip = Math.Max(0, total - MaxLength);
        var input = new int[total - skip];
        for (int i = 0; i < input.Length; i++)
        {
            int k = skip + i;
            input[i] = k < request.Context.Count ? request.Context[k] : request.Continuation[k - request.Context.Count];
        }
        return input;
    }
}
