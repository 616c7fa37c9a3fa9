using Llama.Core.Generation;
using Llama.Core.Model;
using Llama.Core.Tokenization;

namespace Llama.Evaluation.Requests;

/// <summary>
/// A model and its tokenizer, answering the harness's three request types. Scoring is batched
/// (<see cref="LoglikelihoodScorer"/>); generation decodes one sequence at a time with the KV cache.
/// </summary>
public sealed class EvaluatedModel(LlamaModel model, Llama3Tokenizer tokenizer, int maxLength, int batchSize) : IDisposable
{
    public LlamaModel Model { get; } = model;
    public Llama3Tokenizer Tokenizer { get; } = tokenizer;
    public LoglikelihoodScorer Scorer { get; } = new(model, Math.Min(maxLength, model.Config.MaxPositionEmbeddings), batchSize);

    /// <summary>Token ids of text, no special tokens added (prompts carry their own BOS).</summary>
    public IReadOnlyList<int> Encode(string text) => Tokenizer.Encode(text, bos: false, eos: false, allowSpecial: true);

    public LoglikelihoodResult[] Loglikelihood(IReadOnlyList<LoglikelihoodRequest> requests, IProgress<int>? progress = null, CancellationToken cancellation = default) =>
        Scorer.Score(requests, progress, cancellation);

    /// <summary>
    /// <c>loglikelihood_rolling</c>: the total log-likelihood of each whole text, every token predicted once in
    /// windows of the scorer's length after BOS. All windows of all texts are scored as one batched list.
    /// </summary>
    public double[] RollingLoglikelihood(IReadOnlyList<IReadOnlyList<int>> texts, IProgress<int>? progress = null, CancellationToken cancellation = default)
    {
        var windows = new List<LoglikelihoodRequest>();
        var owner = new List<int>();
        for (int i = 0; i < texts.Count; i++)
            foreach (var window in RollingWindows.Split(texts[i], Tokenizer.BosId, Scorer.MaxLength))
            {
                windows.Add(window);
                owner.Add(i);
            }
        var scored = Scorer.Score(windows, progress, cancellation);
        var totals = new double[texts.Count];
        for (int w = 0; w < scored.Length; w++) totals[owner[w]] += scored[w].LogLikelihood;
        return totals;
    }

    /// <summary><c>generate_until</c>: the generated text, cut at the first stop string (which is not included).</summary>
    public string GenerateUntil(GenerateUntilRequest request, CancellationToken cancellation = default)
    {
        var options = new SamplingOptions
        {
            Temperature = request.Temperature,
            TopP = 1,
            Seed = request.Seed,
            MaxNewTokens = request.MaxNewTokens,
            StopTokenIds = Model.Config.EosTokenIds,
            StopStrings = request.Until,
        };
        // The prompt must leave room for at least one new token: keep its right end, as the harness does.
        int keep = Math.Min(request.Context.Count, Model.Config.MaxPositionEmbeddings - 1);
        var prompt = request.Context.Skip(request.Context.Count - keep).ToList();
        var generator = new StreamingTextGenerator(new LlamaGenerator(Model), Tokenizer);
        return string.Concat(generator.Generate(prompt, options, cancellation).Select(d => d.Text));
    }

    public void Dispose() => Model.Dispose();
}
