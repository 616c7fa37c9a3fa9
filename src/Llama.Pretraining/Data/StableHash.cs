using System.Text;

namespace Llama.Pretraining.Data;

/// <summary>
/// 64-bit hashes that are the same on every machine and run (string.GetHashCode is randomized per process):
/// the train/validation split and the sampler's shuffles must not change when the trainer restarts.
/// </summary>
internal static class StableHash
{
    /// <summary>FNV-1a over the UTF-8 bytes, then SplitMix64's finalizer so nearby strings spread over all 64 bits.</summary>
    public static ulong Of(string text)
    {
        ulong hash = 14695981039346656037UL;
        foreach (byte b in Encoding.UTF8.GetBytes(text))
        {
            hash ^= b;
            hash *= 1099511628211UL;
        }
        return Mix(hash);
    }

    /// <summary>Combines two hashes into one (order matters).</summary>
    public static ulong Combine(ulong a, ulong b) => Mix(a ^ (b + 0x9E3779B97F4A7C15UL + (a << 6) + (a >> 2)));

    /// <summary>SplitMix64's output function (Steele, Lea and Flood 2014).</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A hash as a uniform number in [0, 1) (its top 53 bits).</summary>
    public static double ToUnitInterval(ulong hash) => (hash >> 11) * (1.0 / (1UL << 53));
}
