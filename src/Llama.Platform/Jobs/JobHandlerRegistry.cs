namespace Llama.Platform.Jobs;

/// <summary>Which <see cref="IJobHandler"/> runs which job kind (e.g. <c>curation.run</c>) for a <see cref="JobWorker"/>.</summary>
public sealed class JobHandlerRegistry
{
    private readonly Dictionary<string, IJobHandler> _handlers = new(StringComparer.Ordinal);

    /// <summary>Registers <paramref name="handler"/> for <paramref name="kind"/>; a kind has one handler.</summary>
    public JobHandlerRegistry Add(string kind, IJobHandler handler)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        if (!_handlers.TryAdd(kind, handler))
            throw new ArgumentException($"job kind '{kind}' already has a handler ({_handlers[kind].GetType().Name})", nameof(kind));
        return this;
    }

    /// <summary>Registers a delegate as the handler for <paramref name="kind"/>.</summary>
    public JobHandlerRegistry Add(string kind, Func<JobContext, Task<string?>> run) => Add(kind, new DelegateJobHandler(run));

    public bool TryGet(string kind, out IJobHandler handler) => _handlers.TryGetValue(kind, out handler!);

    public IReadOnlyCollection<string> Kinds => _handlers.Keys;

    private sealed class DelegateJobHandler(Func<JobContext, Task<string?>> run) : IJobHandler
    {
        public Task<string?> RunAsync(JobContext context) => run(context);
    }
}
