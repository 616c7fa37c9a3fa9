using System.Diagnostics.Metrics;

namespace Llama.Pretraining.Training;

/// <summary>
/// The trainer's numbers on OpenTelemetry (meter <c>Llama.Pretraining</c>, which the service defaults export to the
/// Aspire dashboard): the latest loss, learning rate, gradient norm, throughput and MFU as gauges.
/// </summary>
public static class PretrainMetrics
{
    public static readonly Meter Meter = new("Llama.Pretraining");
    private static double _loss = double.NaN, _validationLoss = double.NaN, _learningRate, _gradientNorm, _tokensPerSecond, _mfu;
    private static long _tokens;

    static PretrainMetrics()
    {
        Meter.CreateObservableGauge("llama.pretraining.loss", () => _loss, "nats", "Training loss of the latest step");
        Meter.CreateObservableGauge("llama.pretraining.validation_loss", () => _validationLoss, "nats", "Latest validation loss");
        Meter.CreateObservableGauge("llama.pretraining.learning_rate", () => _learningRate);
        Meter.CreateObservableGauge("llama.pretraining.gradient_norm", () => _gradientNorm);
        Meter.CreateObservableGauge("llama.pretraining.tokens_per_second", () => _tokensPerSecond, "{token}/s");
        Meter.CreateObservableGauge("llama.pretraining.mfu", () => _mfu, "1", "Model FLOPs utilisation against the measured matmul peak");
        Meter.CreateObservableCounter("llama.pretraining.tokens", () => _tokens, "{token}");
    }

    public static void Step(double loss, double learningRate, double gradientNorm, double tokensPerSecond, double mfu, long tokensSeen) =>
        (_loss, _learningRate, _gradientNorm, _tokensPerSecond, _mfu, _tokens) = (loss, learningRate, gradientNorm, tokensPerSecond, mfu, tokensSeen);

    public static void Validation(double loss) => _validationLoss = loss;
}
