using Llama.Core;
using Llama.Core.Devices;
using Llama.Core.Tokenization;
using Llama.Evaluation.Requests;
using Llama.Platform;
using Llama.Platform.Artifacts;
using Llama.Platform.Metadata;

namespace Llama.Evaluation.Running;

/// <summary>The model to evaluate could not be found or loaded; the message says which and why.</summary>
public sealed class ModelLoadException(string model, string problem, Exception? inner = null)
    : Exception($"--model {model}: cannot load the model: {problem}", inner);

/// <summary>A model to evaluate, loaded, with the artifact its results are stored under (when recording).</summary>
public sealed record LoadedModel(EvaluatedModel Model, string Directory, Guid? ArtifactId, string Name);

/// <summary>
/// <c>--model DIR_OR_ID</c>, read by Platform's <see cref="ModelArtifactFolder"/>: a Hugging Face directory, or the id
/// (or a 6+ digit prefix) of a <c>model</c> or <c>checkpoint</c> artifact. A directory evaluated while recording is
/// named by the artifact it already is (a published checkpoint or model with the same files, alignment's output, an
/// earlier record), else registered as a <c>file://</c> model, so results of the same weights accumulate under one id.
/// </summary>
public static class ModelLoader
{
    public static async Task<LoadedModel> LoadAsync(string model, string? tokenizerDirectory, string device, EvaluationSettings settings,
        PlatformSettings? platform, CancellationToken cancellation)
    {
        string directory;
        Artifact? artifact;
        try { (directory, artifact) = await ModelArtifactFolder.ResolveAsync(model, platform, cancellation); }
        catch (Exception e) when (e is DirectoryNotFoundException or ArgumentException or InvalidOperationException)
        {
            // Platform's messages name the --model already.
            string prefix = $"--model '{model}': ";
            throw new ModelLoadException(model, e.Message.StartsWith(prefix, StringComparison.Ordinal) ? e.Message[prefix.Length..] : e.Message, e);
        }
        directory = Path.GetFullPath(directory);

        EvaluatedModel evaluated;
        try
        {
            var tokenizer = Llama3Tokenizer.FromDirectory(tokenizerDirectory ?? directory);
            var llama = LlamaDirectory.Load(directory, DeviceSpec.Parse(device));
            if (llama.Config.VocabSize < tokenizer.VocabSize)
            {
                llama.Dispose();
                throw new ModelLoadException(model, $"the tokenizer has {tokenizer.VocabSize} ids but the model only {llama.Config.VocabSize}");
            }
            evaluated = new EvaluatedModel(llama, tokenizer, settings.MaxLength, settings.BatchSize);
        }
        catch (Exception e) when (e is not ModelLoadException and not OperationCanceledException)
        {
            throw new ModelLoadException(model, e.Message, e);
        }
        string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(directory));
        if (platform is not null && artifact is null)
        {
            var store = new MetadataStore(platform.Metadata);
            await store.MigrateAsync(cancellation);
            artifact = await ModelArtifactFolder.FindOrRegisterAsync(new ArtifactRegistry(store), directory, cancellation: cancellation);
        }
        return new LoadedModel(evaluated, directory, artifact?.Id, name);
    }
}
