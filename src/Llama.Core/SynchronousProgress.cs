namespace Llama.Core;

/// <summary>An <see cref="IProgress{T}"/> that runs its handler at once on the reporting thread (Progress&lt;T&gt; posts to the thread pool).</summary>
public sealed class SynchronousProgress<T>(Action<T> handler) : IProgress<T>
{
    public void Report(T value) => handler(value);
}
