using System.Security.Cryptography;

namespace Llama.Platform.Artifacts;

/// <summary>The content hash every stage records a file by: lowercase hex SHA-256 of its bytes, streamed.</summary>
public static class FileContentHash
{
    public static string Sha256(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        return Convert.ToHexStringLower(SHA256.HashData(file));
    }
}
