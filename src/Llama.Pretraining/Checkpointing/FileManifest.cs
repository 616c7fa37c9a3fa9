using Llama.Platform.Artifacts;

namespace Llama.Pretraining.Checkpointing;

/// <summary>
/// The SHA-256 of each file of a folder-like artifact, as text: one <c>name\tsha256\n</c> line per file, sorted
/// by name (ordinal). The SHA-256 of that text stands for the whole folder, so one hash identifies a checkpoint.
/// </summary>
internal sealed class FileManifest
{
    private FileManifest(IReadOnlyList<KeyValuePair<string, string>> entries) => Entries = entries;

    /// <summary>File name to lowercase hex SHA-256, sorted by name.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Entries { get; }

    /// <summary>A manifest from names and hashes already known (e.g. reported by the object store).</summary>
    /// <exception cref="ArgumentException">A name is given twice or holds a tab or newline.</exception>
    public static FileManifest FromHashes(IEnumerable<KeyValuePair<string, string>> hashes)
    {
        var entries = hashes.OrderBy(e => e.Key, StringComparer.Ordinal).ToList();
        for (var i = 0; i < entries.Count; i++)
        {
            if (entries[i].Key.AsSpan().IndexOfAny('\t', '\n') >= 0)
                throw new ArgumentException($"file name '{entries[i].Key}' holds a tab or newline and cannot be listed in a manifest");
            if (i > 0 && entries[i].Key == entries[i - 1].Key)
                throw new ArgumentException($"file '{entries[i].Key}' is listed twice");
        }
        return new FileManifest(entries);
    }

    /// <summary>Hashes the files <paramref name="fileNames"/> of <paramref name="folder"/>.</summary>
    public static FileManifest FromFiles(string folder, IEnumerable<string> fileNames) =>
        FromHashes(fileNames.Select(name => KeyValuePair.Create(name, HashFile(Path.Combine(folder, name)))));

    /// <summary>Reads a manifest written by <see cref="ToText"/>.</summary>
    /// <exception cref="CorruptTrainingCheckpointException">A line is not <c>name\tsha256</c>.</exception>
    public static FileManifest Parse(string text, string path)
    {
        var entries = new List<KeyValuePair<string, string>>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split('\t');
            if (fields.Length != 2 || fields[1].Length != 64 || fields[1].AsSpan().IndexOfAnyExcept("0123456789abcdef") >= 0)
                throw new CorruptTrainingCheckpointException(path, $"manifest line '{line}' is not 'file<TAB>sha256'");
            entries.Add(KeyValuePair.Create(fields[0], fields[1]));
        }
        try
        {
            return FromHashes(entries);
        }
        catch (ArgumentException e)
        {
            throw new CorruptTrainingCheckpointException(path, e.Message, e);
        }
    }

    /// <summary>The manifest text: <c>name\tsha256\n</c> per file (Platform's <see cref="FolderContentHash"/> format).</summary>
    public string ToText() => FolderContentHash.ManifestText(Entries);

    /// <summary>SHA-256 of <see cref="ToText"/> in UTF-8: the hash of the whole folder, as <see cref="FolderContentHash"/> computes it for a local copy.</summary>
    public string Sha256() => FolderContentHash.OfManifest(ToText());

    /// <summary>Lowercase hex SHA-256 of a file's content, streamed.</summary>
    public static string HashFile(string path) => FileContentHash.Sha256(path);
}
