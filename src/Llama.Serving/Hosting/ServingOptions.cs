using Llama.Serving.Api;
using Llama.Serving.Engine;

namespace Llama.Serving.Hosting;

/// <summary>
/// Everything a serving process needs: which model (an HF-layout directory or a model artifact id), how to load
/// it, the engine's batching and memory, request limits and API keys. Bound from the <c>Llama:Serving</c>
/// configuration section (the AppHost's service) and from <c>llama serve</c>'s flags alike.
/// </summary>
public sealed record ServingOptions
{
    public const string Section = "Llama:Serving";

    /// <summary>A Hugging Face Llama directory (config.json, safetensors, tokenizer) or a model artifact id (or 6+ digit prefix).</summary>
    public string? Model { get; init; }

    /// <summary>The id clients name in <c>model</c>; default: the directory's name or the artifact's name.</summary>
    public string? ModelName { get; init; }

    public string Device { get; init; } = "cpu";

    /// <summary>float32, bfloat16 or float16: file weights are converted on load.</summary>
    public string Dtype { get; init; } = "float32";

    /// <summary>Accepted bearer tokens; none = no authentication.</summary>
    public IReadOnlyList<string> ApiKeys { get; init; } = [];

    public EngineOptions Engine { get; init; } = new();
    public ServingLimits Limits { get; init; } = new();
}
