using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Llama.Platform.Jobs;

/// <summary>How a <see cref="JobWorker"/> takes work: which queue, as whom, with what lease, how often it looks.</summary>
public sealed record JobWorkerOptions
{
    public string Queue { get; init; } = "default";

    /// <summary>Names this worker in leases and logs; host:pid:random by default, so restarts never share an id.</summary>
    public string WorkerId { get; init; } = DefaultWorkerId();

    /// <summary>How long a claim lasts without a heartbeat; a dead worker's job is taken again after this.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Heartbeat period; null means a third of <see cref="LeaseDuration"/>, so two may fail before the lease lapses.</summary>
    public TimeSpan? HeartbeatInterval { get; init; }

    /// <summary>The longest wait between polls of an empty queue; waits start shorter and double up to it.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How many jobs this worker runs at once.</summary>
    public int MaxConcurrency { get; init; } = 1;

    public TimeSpan EffectiveHeartbeatInterval => HeartbeatInterval ?? LeaseDuration / 3;

    /// <summary>
    /// These options with <c>Llama:Jobs:LeaseSeconds</c> and <c>Llama:Jobs:PollSeconds</c> from configuration where
    /// set (<c>--Llama:Jobs:LeaseSeconds=5</c>): a shorter lease brings a killed worker's job back sooner (tests, small
    /// deployments); a longer one lets a busy worker pause longer without looking dead.
    /// </summary>
    /// <exception cref="ArgumentException">A value is not a positive number of seconds.</exception>
    public JobWorkerOptions WithConfiguration(IConfiguration? configuration) => this with
    {
        LeaseDuration = Seconds(configuration, "Llama:Jobs:LeaseSeconds") ?? LeaseDuration,
        PollInterval = Seconds(configuration, "Llama:Jobs:PollSeconds") ?? PollInterval,
    };

    private static TimeSpan? Seconds(IConfiguration? configuration, string key)
    {
        if (configuration?[key] is not { } text) return null;
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds > 0 && double.IsFinite(seconds)
            ? TimeSpan.FromSeconds(seconds)
            : throw new ArgumentException($"{key}: '{text}' is not a positive number of seconds");
    }

    public static string DefaultWorkerId() => $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Queue, nameof(Queue));
        ArgumentException.ThrowIfNullOrWhiteSpace(WorkerId, nameof(WorkerId));
        if (LeaseDuration <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(LeaseDuration), LeaseDuration, "must be positive");
        if (EffectiveHeartbeatInterval <= TimeSpan.Zero || EffectiveHeartbeatInterval >= LeaseDuration)
            throw new ArgumentOutOfRangeException(nameof(HeartbeatInterval), EffectiveHeartbeatInterval, $"must be positive and shorter than the lease ({LeaseDuration})");
        if (PollInterval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(PollInterval), PollInterval, "must be positive");
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConcurrency, 1, nameof(MaxConcurrency));
    }
}
