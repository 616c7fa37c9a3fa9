namespace Llama.Alignment.RejectionSampling;

/// <summary>
/// Rejection sampling settings. K = 10 is the low end of the paper's 10-30 samples per prompt (section 4.2.2);
/// temperature 0.8 keeps the samples diverse.
/// </summary>
public sealed record RejectionSamplingOptions
{
    public int SamplesPerPrompt { get; init; } = 10;
    public double Temperature { get; init; } = 0.8;
    public double TopP { get; init; } = 0.95;
    public int MaxNewTokens { get; init; } = 24;
    public int Seed { get; init; } = 1;

    public void Validate()
    {
        if (SamplesPerPrompt < 2) throw new ArgumentException($"rs.samplesPerPrompt ({SamplesPerPrompt}) must be >= 2");
        if (!(Temperature > 0)) throw new ArgumentException($"rs.temperature ({Temperature}) must be > 0: rejection sampling needs diverse samples");
        if (MaxNewTokens <= 0) throw new ArgumentException($"rs.maxNewTokens ({MaxNewTokens}) must be > 0");
    }
}
