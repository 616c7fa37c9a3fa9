using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Llama.Platform.Storage;

/// <summary>
/// The embedded object store: a folder on the local file system (by default <c>./.llama/objects</c>).
/// <list type="bullet">
/// <item>Content of key <c>k</c> is the plain file <c>root/k</c>, so tools can read it directly.</item>
/// <item>Its SHA-256, size and time are in a sidecar <c>root/.objectstore/sidecars/k</c> (JSON). The sidecar
/// is the commit record: an object exists exactly when its sidecar does.</item>
/// <item>A put streams into <c>root/.objectstore/staging/</c> (same file system, so rename is atomic),
/// flushes to disk, renames the data into place, then renames a staged sidecar into place. A crash before the
/// sidecar lands leaves a new key invisible, or an overwritten key reading as corrupted, never silently wrong.</item>
/// </list>
/// One window is not atomic: a read that starts while another writer is between its two renames pairs
/// old and new and fails with <see cref="ObjectCorruptedException"/>. Artifacts are written once under fresh
/// keys, so this only matters for keys that are overwritten while being read.
/// </summary>
public sealed class LocalFolderObjectStore : IObjectStore
{
    private const string SidecarFolder = "sidecars";
    private const string StagingFolder = "staging";

    /// <summary>Staged files older than this are leftovers of a crashed writer (no put runs this long).</summary>
    private static readonly TimeSpan StaleStagingAge = TimeSpan.FromDays(1);

    private static readonly JsonSerializerOptions SidecarJson = new(JsonSerializerDefaults.Web);

    private readonly string _sidecarRoot;
    private readonly string _stagingRoot;

    /// <param name="root">The folder; created when missing.</param>
    public LocalFolderObjectStore(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.GetFullPath(root);
        _sidecarRoot = Path.Combine(Root, ObjectKey.ReservedFirstSegment, SidecarFolder);
        _stagingRoot = Path.Combine(Root, ObjectKey.ReservedFirstSegment, StagingFolder);
        Directory.CreateDirectory(_sidecarRoot);
        Directory.CreateDirectory(_stagingRoot);
        DeleteStaleStagedFiles();
    }

    /// <summary>The absolute path of the folder.</summary>
    public string Root { get; }

    public string Describe() => $"folder {Root}";

    /// <summary>Where the content of <paramref name="key"/> lives (the key must be valid).</summary>
    public string DataPath(string key) => Path.Combine(Root, ToRelativePath(key));

    public async Task<ObjectInfo> PutAsync(string key, Stream content, CancellationToken ct = default)
    {
        ObjectKey.Validate(key);
        ArgumentNullException.ThrowIfNull(content);
        ThrowIfConflicting(key);
        ct.ThrowIfCancellationRequested();

        string stagedData = Path.Combine(_stagingRoot, Guid.NewGuid().ToString("N") + ".data");
        string stagedSidecar = Path.ChangeExtension(stagedData, ".json");
        try
        {
            long size;
            string sha256;
            await using (var file = new FileStream(stagedData, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0))
            {
                (size, sha256) = await Sha256Copy.CopyAsync(content, file, ct);
                // On disk before the rename publishes it: after a power cut a committed key must not be empty.
                file.Flush(flushToDisk: true);
            }
            var info = new ObjectInfo(key, size, sha256, DateTimeOffset.UtcNow);
            await WriteSidecarAsync(stagedSidecar, info, ct);

            ct.ThrowIfCancellationRequested(); // last point where cancelling leaves the previous state
            MoveIntoPlace(stagedData, DataPath(key));
            MoveIntoPlace(stagedSidecar, SidecarPath(key));
            return info;
        }
        finally
        {
            File.Delete(stagedData);
            File.Delete(stagedSidecar);
        }
    }

    public async Task<Stream> OpenReadAsync(string key, CancellationToken ct = default)
    {
        ObjectKey.Validate(key);
        var info = await ReadSidecarAsync(key, ct) ?? throw new ObjectNotFoundException(key, Describe());
        FileStream data;
        try
        {
            data = new FileStream(DataPath(key), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete,
                Sha256Copy.BufferBytes, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            // Deleted between reading the sidecar and opening the data.
            throw new ObjectNotFoundException(key, Describe());
        }
        return new Sha256VerifyingStream(data, info);
    }

    public async Task<ObjectInfo?> GetInfoAsync(string key, CancellationToken ct = default)
    {
        ObjectKey.Validate(key);
        var info = await ReadSidecarAsync(key, ct);
        return info is not null && File.Exists(DataPath(key)) ? info : null;
    }

    public async Task<bool> ExistsAsync(string key, CancellationToken ct = default) =>
        await GetInfoAsync(key, ct) is not null;

    public Task DeleteAsync(string key, CancellationToken ct = default)
    {
        ObjectKey.Validate(key);
        // Sidecar first: once it is gone the object is gone, whatever happens to the data file next.
        DeleteIfPresent(SidecarPath(key));
        DeleteIfPresent(DataPath(key));
        PruneEmptyFolders(Path.GetDirectoryName(SidecarPath(key))!, _sidecarRoot);
        PruneEmptyFolders(Path.GetDirectoryName(DataPath(key))!, Root);
        return Task.CompletedTask;
    }

    public async IAsyncEnumerable<ObjectInfo> ListAsync(string prefix = "", [EnumeratorCancellation] CancellationToken ct = default)
    {
        ObjectKey.ValidatePrefix(prefix);
        // Only the folder named by the prefix's complete segments can hold matches.
        int lastSlash = prefix.LastIndexOf('/');
        string start = lastSlash < 0 ? _sidecarRoot : Path.Combine(_sidecarRoot, ToRelativePath(prefix[..lastSlash]));
        if (!Directory.Exists(start)) yield break;

        var keys = Directory.EnumerateFiles(start, "*", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(_sidecarRoot, path).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(key => key.StartsWith(prefix, StringComparison.Ordinal))
            .Order(ObjectKey.Order)
            .ToList();
        foreach (string key in keys)
        {
            // Skips objects deleted since the folder was walked.
            if (await ReadSidecarAsync(key, ct) is { } info) yield return info;
        }
    }

    private string SidecarPath(string key) => Path.Combine(_sidecarRoot, ToRelativePath(key));

    private static string ToRelativePath(string key) => key.Replace('/', Path.DirectorySeparatorChar);

    /// <summary>
    /// Fails before anything is written when the key needs a path that is a file as a folder ("a/b" while
    /// "a" exists) or a folder as a file ("a" while "a/b" exists).
    /// </summary>
    private void ThrowIfConflicting(string key)
    {
        int slash = -1;
        while ((slash = key.IndexOf('/', slash + 1)) >= 0)
        {
            string ancestor = key[..slash];
            if (File.Exists(DataPath(ancestor))) throw new ObjectKeyConflictException(key, ancestor);
        }
        string path = DataPath(key);
        if (Directory.Exists(path))
        {
            PruneEmptyFolders(path, Root); // an empty folder left by an interrupted delete is no conflict
            if (Directory.Exists(path)) throw new ObjectKeyConflictException(key, key + "/…");
        }
    }

    private static void MoveIntoPlace(string staged, string destination)
    {
        // A concurrent delete may prune the folder between creating it and moving into it: try again.
        for (int attempt = 1; ; attempt++)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            try
            {
                File.Move(staged, destination, overwrite: true); // rename(2): atomic on one file system
                return;
            }
            catch (DirectoryNotFoundException) when (attempt < 3)
            {
            }
        }
    }

    private static async Task WriteSidecarAsync(string path, ObjectInfo info, CancellationToken ct)
    {
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        await JsonSerializer.SerializeAsync(file, new Sidecar(info.Sha256, info.SizeBytes, info.LastModified), SidecarJson, ct);
        file.Flush(flushToDisk: true);
    }

    private async Task<ObjectInfo?> ReadSidecarAsync(string key, CancellationToken ct)
    {
        Sidecar? sidecar;
        try
        {
            await using var file = new FileStream(SidecarPath(key), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
            sidecar = await JsonSerializer.DeserializeAsync<Sidecar>(file, SidecarJson, ct);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (JsonException e)
        {
            throw new ObjectCorruptedException(key, $"its checksum record {SidecarPath(key)} is unreadable", e);
        }
        if (sidecar is null || sidecar.SizeBytes < 0 || sidecar.Sha256 is not { Length: 64 } sha || !sha.All(char.IsAsciiHexDigitLower))
            throw new ObjectCorruptedException(key, $"its checksum record {SidecarPath(key)} is incomplete");
        return new ObjectInfo(key, sidecar.SizeBytes, sidecar.Sha256, sidecar.LastModified);
    }

    private static void DeleteIfPresent(string path)
    {
        try
        {
            File.Delete(path); // no error for a missing file, but one for a missing folder
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    /// <summary>Removes <paramref name="folder"/> and its ancestors below <paramref name="stop"/> while they are empty.</summary>
    private static void PruneEmptyFolders(string folder, string stop)
    {
        while (folder.Length > stop.Length && folder.StartsWith(stop, StringComparison.Ordinal))
        {
            try
            {
                Directory.Delete(folder); // not recursive: fails on a folder that is not empty
            }
            catch (IOException)
            {
                return; // not empty (or already gone): the ancestors are not empty either
            }
            folder = Path.GetDirectoryName(folder)!;
        }
    }

    private void DeleteStaleStagedFiles()
    {
        foreach (var file in new DirectoryInfo(_stagingRoot).EnumerateFiles())
        {
            try
            {
                if (DateTime.UtcNow - file.LastWriteTimeUtc > StaleStagingAge) file.Delete();
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>The sidecar's JSON shape.</summary>
    private sealed record Sidecar(string Sha256, long SizeBytes, DateTimeOffset LastModified);
}
