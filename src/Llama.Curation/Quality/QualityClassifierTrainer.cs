using Microsoft.ML;
using Microsoft.ML.Trainers;
using Microsoft.ML.Transforms.Text;

namespace Llama.Curation.Quality;

/// <summary>Trains a <see cref="QualityClassifier"/> on texts labelled good (high quality) or bad.</summary>
public static class QualityClassifierTrainer
{
    /// <summary>
    /// Trains on <paramref name="examples"/>. Both classes must be present. Deterministic for a given
    /// <see cref="QualityClassifierOptions.Seed"/>: SDCA shuffles with the context's seed and runs on one thread.
    /// </summary>
    public static QualityClassifier Train(IEnumerable<(string Text, bool Good)> examples, QualityClassifierOptions? options = null)
    {
        options ??= new QualityClassifierOptions();
        var rows = examples.Select(e => new QualityInput { Text = e.Text, Label = e.Good }).ToArray();
        var good = rows.Count(r => r.Label);
        if (good == 0 || good == rows.Length)
            throw new ArgumentException($"quality training needs good and bad examples; got {good} good and {rows.Length - good} bad", nameof(examples));

        var ml = new MLContext(options.Seed);
        var data = ml.Data.LoadFromEnumerable(rows);
        var featurize = ml.Transforms.Text.FeaturizeText(
            QualityInput.FeaturesColumn,
            new TextFeaturizingEstimator.Options
            {
                CaseMode = TextNormalizingEstimator.CaseMode.Lower,
                KeepPunctuations = true,
                KeepNumbers = true,
                WordFeatureExtractor = new WordBagEstimator.Options { NgramLength = options.WordNgramLength, UseAllLengths = true },
                CharFeatureExtractor = new WordBagEstimator.Options { NgramLength = options.CharNgramLength, UseAllLengths = false },
                Norm = TextFeaturizingEstimator.NormFunction.L2,
            },
            nameof(QualityInput.Text));
        var trainer = ml.BinaryClassification.Trainers.SdcaLogisticRegression(new SdcaLogisticRegressionBinaryTrainer.Options
        {
            LabelColumnName = nameof(QualityInput.Label),
            FeatureColumnName = QualityInput.FeaturesColumn,
            NumberOfThreads = 1,
            L2Regularization = options.L2Regularization,
            MaximumNumberOfIterations = options.MaximumNumberOfIterations,
        });

        var model = featurize.Append(trainer).Fit(data);
        return new QualityClassifier(ml, model, data.Schema);
    }
}
