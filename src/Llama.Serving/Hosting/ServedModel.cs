using Llama.Core;
using Llama.Core.Devices;
using Llama.Core.Model;
using Llama.Core.Tokenization;
using Llama.Serving.Engine;

namespace Llama.Serving.Hosting;

/// <summary>The model a server answers for: its public id, weights, tokenizer, engine and stop tokens.</summary>
public sealed class ServedModel : IDisposable
{
    public ServedModel(string id, LlamaModel model, Llama3Tokenizer tokenizer, EngineOptions engine)
    {
        if (tokenizer.VocabSize > model.Config.VocabSize)
            throw new ArgumentException($"the tokenizer has {tokenizer.VocabSize} ids but the model's vocabulary is {model.Config.VocabSize}");
        Id = id;
        Tokenizer = tokenizer;
        Engine = new InferenceEngine(model, engine);
        // As `llama generate` does: the config's eos ids, end_of_text and end-of-turn all end a completion.
        StopTokenIds = model.Config.EosTokenIds.Append(tokenizer.EosId).Append(tokenizer.EotId).Distinct().ToArray();
        Created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    }

    public string Id { get; }
    public Llama3Tokenizer Tokenizer { get; }
    public InferenceEngine Engine { get; }
    public IReadOnlyList<int> StopTokenIds { get; }
    public long Created { get; }

    /// <summary>Loads <paramref name="directory"/> (weights converted to <paramref name="options"/>' dtype) and starts its engine.</summary>
    public static ServedModel Load(string directory, string id, ServingOptions options)
    {
        var tokenizer = Llama3Tokenizer.FromDirectory(directory);
        var model = LlamaDirectory.Load(directory, DeviceSpec.Parse(options.Device), DeviceSpec.ParseDtype(options.Dtype));
        try
        {
            return new ServedModel(id, model, tokenizer, options.Engine);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Engine.Dispose();
        Engine.Model.Dispose();
    }
}
