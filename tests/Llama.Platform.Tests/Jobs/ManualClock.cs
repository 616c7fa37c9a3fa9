namespace Llama.Platform.Tests.Jobs;

/// <summary>A clock the test moves by hand, so lease expiry is tested without sleeping.</summary>
internal sealed class ManualClock : TimeProvider
{
    private DateTimeOffset _now = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
