using Llama.Pretraining.Parallel.ProcessGroups;

namespace Llama.Pretraining.Tests.Parallel;

/// <summary>Runs one function per rank, each on its own thread, over an in-process world; rethrows the first failure.</summary>
internal static class InProcessWorld
{
    public static T[] Run<T>(int size, Func<IProcessGroup, T> rank, TimeSpan? timeout = null)
    {
        var world = InProcessProcessGroup.CreateWorld(size, timeout ?? TimeSpan.FromSeconds(60));
        var results = new T[size];
        var errors = new Exception?[size];
        var threads = Enumerable.Range(0, size).Select(r => new Thread(() =>
        {
            try { results[r] = rank(world[r]); }
            catch (Exception e) { errors[r] = e; }
        }, maxStackSize: 16 << 20)).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        if (errors.FirstOrDefault(e => e is not null) is { } error) throw new AggregateException($"rank {Array.IndexOf(errors, error)} failed", errors.OfType<Exception>());
        return results;
    }
}
