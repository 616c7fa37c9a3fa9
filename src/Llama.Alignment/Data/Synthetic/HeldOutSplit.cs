using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Llama.Alignment.Data.Synthetic;

/// <summary>
/// Which items are held out from training: a fixed fraction chosen by a hash of the item id, so the split is the same
/// in every run and on every machine, and adding items never moves existing ones across it.
/// </summary>
public static class HeldOutSplit
{
    public const double DefaultFraction = 0.2;

    public static bool IsHeldOut(string id, double fraction = DefaultFraction)
    {
        ulong hash = BinaryPrimitives.ReadUInt64LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes(id)));
        return hash % 10_000 < (ulong)Math.Round(fraction * 10_000);
    }
}
