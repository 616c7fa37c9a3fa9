using Llama.Core.Training;
using TorchSharp;
using static TorchSharp.torch;
using AdamW = Llama.Core.Training.AdamW;

namespace Llama.Alignment.Training;

/// <summary>
/// The loop every alignment stage runs: per step, the stage's loss (a forward pass on its batch), backward, clipping
/// of the global gradient norm, one AdamW update at the schedule's rate, progress. Only the loss differs by stage.
/// </summary>
internal static class TrainingLoop
{
    /// <param name="loss">The loss of step <c>i</c> (and extra metrics to report), computed inside the step's dispose scope.</param>
    /// <returns>The first and the last step's loss.</returns>
    public static (double First, double Last) Run(nn.Module model, TrainingOptions options, string stage,
        Func<int, (Tensor Loss, IReadOnlyDictionary<string, double>? Extra)> loss, IProgress<TrainingStep>? progress, CancellationToken cancellation)
    {
        // Frozen parameters (the base under LoRA adapters) get neither optimizer state nor updates.
        var named = model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => (p.name, p.parameter)).ToList();
        var parameters = named.Select(p => p.parameter).ToList();
        using var adam = new AdamW(named, new AdamWOptions(WeightDecay: options.WeightDecay));
        var schedule = options.Schedule();
        double first = double.NaN, last = double.NaN;
        model.train();
        try
        {
            for (int step = 0; step < options.Steps; step++)
            {
                cancellation.ThrowIfCancellationRequested();
                IReadOnlyDictionary<string, double>? extra;
                using (var scope = NewDisposeScope())
                {
                    (var value, extra) = loss(step);
                    value.backward();
                    last = value.item<float>();
                }
                double norm = GradientClipping.ClipGlobalNorm(parameters, options.MaxGradNorm);
                if (!double.IsFinite(norm) || !double.IsFinite(last))
                    throw new InvalidOperationException($"{stage} step {step + 1}: loss {last}, gradient norm {norm}; training diverged (try a lower learning rate)");
                double lr = schedule.At(step);
                adam.Step(lr);
                adam.ZeroGrad();
                if (step == 0) first = last;
                progress?.Report(new TrainingStep(stage, step + 1, options.Steps, last, lr, norm, extra));
            }
        }
        finally
        {
            model.eval();
        }
        return (first, last);
    }
}
