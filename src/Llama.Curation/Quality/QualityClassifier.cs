using Microsoft.ML;
using Microsoft.ML.Data;

namespace Llama.Curation.Quality;

/// <summary>ML.NET row of the quality classifier: the text and, for training, its label.</summary>
internal sealed class QualityInput
{
    public const string FeaturesColumn = "Features";

    public string Text { get; set; } = "";

    public bool Label { get; set; }
}

/// <summary>ML.NET output row: the calibrated probability of the positive (good) class.</summary>
internal sealed class QualityOutput
{
    public float Probability { get; set; }
}

/// <summary>
/// A trained text-quality classifier: <see cref="Score"/> is the probability that a text is high quality. Saved as an
/// ML.NET model zip. Thread-safe: each thread scores with its own prediction engine (ML.NET's engines are not).
/// </summary>
public sealed class QualityClassifier : IDisposable
{
    private readonly MLContext _ml;
    private readonly ITransformer _model;
    private readonly DataViewSchema _inputSchema;
    private readonly ThreadLocal<PredictionEngine<QualityInput, QualityOutput>> _engines;

    internal QualityClassifier(MLContext ml, ITransformer model, DataViewSchema inputSchema)
    {
        _ml = ml;
        _model = model;
        _inputSchema = inputSchema;
        _engines = new ThreadLocal<PredictionEngine<QualityInput, QualityOutput>>(
            () => _ml.Model.CreatePredictionEngine<QualityInput, QualityOutput>(_model, _inputSchema), trackAllValues: true);
    }

    /// <summary>Probability in [0, 1] that <paramref name="text"/> is high quality.</summary>
    public double Score(string text) =>
        Math.Clamp(_engines.Value!.Predict(new QualityInput { Text = text }).Probability, 0f, 1f);

    /// <summary>Writes the model as an ML.NET zip (featurizer and linear model together).</summary>
    public void Save(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _ml.Model.Save(_model, _inputSchema, path);
    }

    /// <summary>Reads a model written by <see cref="Save"/>.</summary>
    public static QualityClassifier Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"quality classifier model not found: {path}", path);
        var ml = new MLContext();
        var model = ml.Model.Load(path, out var schema);
        return new QualityClassifier(ml, model, schema);
    }

    public void Dispose()
    {
        foreach (var engine in _engines.Values) engine.Dispose();
        _engines.Dispose();
    }
}
