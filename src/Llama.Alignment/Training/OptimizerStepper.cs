using Llama.Core.Training;
using TorchSharp.Modules;
using AdamW = Llama.Core.Training.AdamW;

namespace Llama.Alignment.Training;

/// <summary>One optimiser update per call, as every alignment stage takes it: schedule, clip, AdamW, clear gradients.</summary>
internal sealed class OptimizerStepper : IDisposable
{
    private readonly AdamW _adam;
    private readonly LearningRateSchedule _schedule;
    private readonly List<Parameter> _parameters;
    private readonly double _maxGradNorm;

    public OptimizerStepper(IEnumerable<(string Name, Parameter Param)> trainable, TrainingOptions options)
    {
        var named = trainable.ToList();
        _parameters = named.Select(p => p.Param).ToList();
        _adam = new AdamW(named, new AdamWOptions(WeightDecay: options.WeightDecay));
        _schedule = options.Schedule();
        _maxGradNorm = options.MaxGradNorm;
    }

    /// <summary>Applies update <paramref name="step"/> (0-based) from the gradients of the last backward pass.</summary>
    /// <returns>The learning rate used and the gradient norm before clipping.</returns>
    public (double LearningRate, double GradientNorm) Step(long step)
    {
        double norm = GradientClipping.ClipGlobalNorm(_parameters, _maxGradNorm);
        if (!double.IsFinite(norm)) throw new InvalidOperationException($"step {step}: the gradient norm is {norm}; training diverged");
        double lr = _schedule.At(step);
        _adam.Step(lr);
        _adam.ZeroGrad();
        return (lr, norm);
    }

    public void Dispose() => _adam.Dispose();
}
