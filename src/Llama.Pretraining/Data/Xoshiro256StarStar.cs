namespace Llama.Pretraining.Data;

/// <summary>
/// The xoshiro256** generator (Blackman and Vigna 2018). Used instead of System.Random because its whole state is
/// four ulongs the sampler can save in a checkpoint and restore exactly, on any .NET version.
/// </summary>
internal sealed class Xoshiro256StarStar
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>Seeds the four state words from SplitMix64, as the authors recommend (never all zero).</summary>
    public Xoshiro256StarStar(ulong seed)
    {
        _s0 = SplitMix(ref seed);
        _s1 = SplitMix(ref seed);
        _s2 = SplitMix(ref seed);
        _s3 = SplitMix(ref seed);
    }

    /// <summary>Continues from a state saved by <see cref="GetState"/>.</summary>
    public Xoshiro256StarStar(IReadOnlyList<ulong> state)
    {
        if (state.Count != 4 || state.All(w => w == 0))
            throw new ArgumentException("a xoshiro256** state is four words, not all zero", nameof(state));
        (_s0, _s1, _s2, _s3) = (state[0], state[1], state[2], state[3]);
    }

    public ulong[] GetState() => [_s0, _s1, _s2, _s3];

    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) from the top 53 bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, <paramref name="bound"/>) without modulo bias (rejects the short last interval).</summary>
    public int NextInt(int bound)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bound);
        ulong n = (ulong)bound;
        ulong threshold = (0 - n) % n; // 2^64 mod n: values below it would make small results more likely
        while (true)
        {
            ulong r = NextUInt64();
            if (r >= threshold) return (int)(r % n);
        }
    }

    private static ulong SplitMix(ref ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        return StableHash.Mix(x);
    }
}
