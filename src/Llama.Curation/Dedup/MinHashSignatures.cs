using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace Llama.Curation.Dedup;

/// <summary>
/// MinHash signatures: every shingle is hashed to 64 bits (XxHash3), then through <c>k</c> universal hash functions
/// <c>(a·x + b) mod (2^61 − 1)</c> (the Mersenne-prime permutations datatrove and datasketch use); slot <c>i</c> of the
/// signature is the minimum of function <c>i</c> over the shingles. Slots are stored as their low 32 bits, which
/// halves memory and leaves a 2^-32 chance that two different minima look equal.
/// The coefficients are drawn once from the seed, so signatures are the same in every process.
/// </summary>
internal sealed class MinHashSignatures
{
    private const ulong MersennePrime = (1UL << 61) - 1;

    private readonly MinHashOptions _options;
    private readonly ulong[] _multipliers;
    private readonly ulong[] _offsets;

    public MinHashSignatures(MinHashOptions options)
    {
        _options = options;
        var state = options.Seed;
        _multipliers = new ulong[options.HashCount];
        _offsets = new ulong[options.HashCount];
        for (var i = 0; i < options.HashCount; i++)
        {
            _multipliers[i] = 1 + SplitMix64(ref state) % (MersennePrime - 1); // a in [1, p)
            _offsets[i] = SplitMix64(ref state) % MersennePrime;               // b in [0, p)
        }
    }

    /// <summary>The signature of <paramref name="text"/>, or null when it has no shingle (no words at all).</summary>
    public uint[]? Compute(string text)
    {
        var k = _options.HashCount;
        Span<ulong> minima = k <= 512 ? stackalloc ulong[k] : new ulong[k];
        minima.Fill(ulong.MaxValue);
        var shingles = _options.Shingles == ShingleKind.Words
            ? HashWordShingles(DedupText.SimplifyForWords(text), minima)
            : HashCharacterShingles(DedupText.Normalize(text), minima);
        if (shingles == 0) return null;
        var signature = new uint[k];
        for (var i = 0; i < k; i++) signature[i] = (uint)minima[i];
        return signature;
    }

    /// <summary>The fraction of equal slots: an estimate of the Jaccard similarity of the two shingle sets.</summary>
    public static double EstimatedJaccard(uint[] a, uint[] b)
    {
        var equal = 0;
        for (var i = 0; i < a.Length; i++)
            if (a[i] == b[i]) equal++;
        return (double)equal / a.Length;
    }

    /// <summary>The LSH key of one band: a hash of its rows.</summary>
    public ulong BandKey(uint[] signature, int band) =>
        XxHash3.HashToUInt64(MemoryMarshal.AsBytes(signature.AsSpan(band * _options.RowsPerBand, _options.RowsPerBand)));

    // Words of the simplified text are separated by exactly one space, so a shingle is one span of the string.
    private int HashWordShingles(string words, Span<ulong> minima)
    {
        if (words.Length == 0) return 0;
        var n = _options.ShingleSize;
        var starts = new List<int> { 0 };
        for (var i = 0; i < words.Length; i++)
            if (words[i] == ' ') starts.Add(i + 1);
        // Fewer words than n: the whole text is one shingle, so short documents still compare (datatrove would skip them).
        var shingleCount = Math.Max(1, starts.Count - n + 1);
        for (var s = 0; s < shingleCount; s++)
        {
            var end = s + n < starts.Count ? starts[s + n] - 1 : words.Length;
            Update(minima, HashChars(words.AsSpan(starts[s], end - starts[s])));
        }
        return shingleCount;
    }

    private int HashCharacterShingles(string text, Span<ulong> minima)
    {
        if (text.Length == 0) return 0;
        var n = _options.ShingleSize;
        var shingleCount = Math.Max(1, text.Length - n + 1);
        for (var s = 0; s < shingleCount; s++)
            Update(minima, HashChars(text.AsSpan(s, Math.Min(n, text.Length - s))));
        return shingleCount;
    }

    private static ulong HashChars(ReadOnlySpan<char> shingle) => XxHash3.HashToUInt64(MemoryMarshal.AsBytes(shingle));

    private void Update(Span<ulong> minima, ulong shingleHash)
    {
        var x = Reduce(shingleHash);
        var multipliers = _multipliers;
        var offsets = _offsets;
        for (var i = 0; i < minima.Length; i++)
        {
            var value = MultiplyAddMod(multipliers[i], x, offsets[i]);
            if (value < minima[i]) minima[i] = value;
        }
    }

    // (a·x + b) mod p for p = 2^61 − 1, with a, x, b < p: fold the 122-bit product at bit 61, twice.
    private static ulong MultiplyAddMod(ulong a, ulong x, ulong b)
    {
        var high = Math.BigMul(a, x, out var low);
        var folded = (low & MersennePrime) + ((low >> 61) | (high << 3)) + b; // < 3p, no overflow
        folded = (folded & MersennePrime) + (folded >> 61);
        return folded >= MersennePrime ? folded - MersennePrime : folded;
    }

    private static ulong Reduce(ulong x)
    {
        var folded = (x & MersennePrime) + (x >> 61);
        return folded >= MersennePrime ? folded - MersennePrime : folded;
    }

    private static ulong SplitMix64(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
