namespace Llama.Quantization.Running;

/// <summary>Reports quantization steps at once on the reporting thread (Progress&lt;T&gt; posts to the thread pool).</summary>
public sealed class SynchronousProgress(Action<QuantizeProgress> handler) : IProgress<QuantizeProgress>
{
    public void Report(QuantizeProgress value) => handler(value);
}
