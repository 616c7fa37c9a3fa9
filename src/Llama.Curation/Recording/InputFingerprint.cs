using System.Security.Cryptography;
using System.Text;
using Llama.Platform.Artifacts;

namespace Llama.Curation.Recording;

/// <summary>
/// The identity of an input file or folder for lineage: its total size and a SHA-256 over the sorted list of
/// (relative path, size, content SHA-256) of its files — two runs over the same bytes get the same fingerprint.
/// </summary>
public static class InputFingerprint
{
    public static (long Bytes, string Sha256, int Files) Of(string path)
    {
        if (File.Exists(path)) return (new FileInfo(path).Length, FileContentHash.Sha256(path), 1);
        if (!Directory.Exists(path)) throw new FileNotFoundException($"{path}: no such file or folder");
        var manifest = new StringBuilder();
        long bytes = 0;
        int files = 0;
        foreach (var file in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            using var stream = File.OpenRead(file);
            bytes += stream.Length;
            files++;
            manifest.Append(Path.GetRelativePath(path, file).Replace('\\', '/')).Append('\t').Append(stream.Length).Append('\t')
                .Append(Convert.ToHexStringLower(SHA256.HashData(stream))).Append('\n');
        }
        return (bytes, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(manifest.ToString()))), files);
    }
}
