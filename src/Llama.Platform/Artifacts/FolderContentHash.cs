using System.Security.Cryptography;
using System.Text;

namespace Llama.Platform.Artifacts;

/// <summary>
/// The SHA-256 that names a folder artifact's content: one <c>name\tsha256\n</c> line per file (names relative,
/// '/'-separated, sorted ordinal; dot-files left out, they are the temporary files of atomic writes), hashed as UTF-8.
/// It is the hash the pretraining stage records when it publishes a checkpoint or a model (its FileManifest) and the
/// one the quantization stage records for its upload, so a local folder and its published copy have the same hash.
/// </summary>
public sealed record FolderContentHash(string Sha256, long SizeBytes, int Files)
{
    /// <exception cref="DirectoryNotFoundException"><paramref name="directory"/> does not exist.</exception>
    public static async Task<FolderContentHash> OfAsync(string directory, CancellationToken cancellation = default)
    {
        string root = Path.GetFullPath(directory);
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"{directory}: no such directory");
        var files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(relative => !relative.Split('/').Any(segment => segment.StartsWith('.')))
            .Order(StringComparer.Ordinal).ToList();
        var hashes = new List<KeyValuePair<string, string>>(files.Count);
        long size = 0;
        foreach (var file in files)
        {
            await using var stream = new FileStream(Path.Combine(root, file), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
            hashes.Add(KeyValuePair.Create(file, Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellation))));
            size += stream.Length;
        }
        return new FolderContentHash(OfManifest(ManifestText(hashes)), size, files.Count);
    }

    /// <summary>The manifest text of (file name, lowercase hex SHA-256) entries sorted ordinal by name: <c>name\tsha256\n</c> each.</summary>
    public static string ManifestText(IEnumerable<KeyValuePair<string, string>> sortedEntries)
    {
        var text = new StringBuilder();
        foreach (var (name, sha256) in sortedEntries) text.Append(name).Append('\t').Append(sha256).Append('\n');
        return text.ToString();
    }

    /// <summary>The SHA-256 of a manifest text in UTF-8: the hash of the whole folder.</summary>
    public static string OfManifest(string manifestText) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(manifestText)));
}
