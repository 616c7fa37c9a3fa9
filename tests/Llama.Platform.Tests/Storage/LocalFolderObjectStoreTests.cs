using Llama.Platform.Storage;

namespace Llama.Platform.Tests.Storage;

/// <summary>The contract on a folder, plus what only a folder can get wrong (its files and sidecars).</summary>
public sealed class LocalFolderObjectStoreTests : ObjectStoreContractTests
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "llama-objects-" + Guid.NewGuid().ToString("N")[..12]);

    private LocalFolderObjectStore FolderStore => (LocalFolderObjectStore)Store;

    protected override IObjectStore CreateStore() => new LocalFolderObjectStore(_root);

    protected override Task<IReadOnlyList<string>> RawEntriesAsync() => Task.FromResult<IReadOnlyList<string>>(
        Directory.GetFiles(_root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(_root, f)).ToList());

    protected override async Task FlipStoredByteAsync(string key, long offset)
    {
        await using var file = new FileStream(FolderStore.DataPath(key), FileMode.Open, FileAccess.ReadWrite);
        file.Position = offset;
        int b = file.ReadByte();
        file.Position = offset;
        file.WriteByte((byte)(b ^ 0xFF));
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Content_is_a_plain_file_at_the_key_path()
    {
        await Store.PutBytesAsync("data/a.txt", "hello"u8.ToArray());

        Assert.Equal("hello", await File.ReadAllTextAsync(Path.Combine(_root, "data", "a.txt")));
        Assert.Equal("folder " + _root, Store.Describe());
    }

    [Fact]
    public async Task A_truncated_data_file_fails_the_read()
    {
        await Store.PutBytesAsync("shard.bin", SeededRandomStream.Bytes(seed: 1, 10_000));
        await using (var file = new FileStream(FolderStore.DataPath("shard.bin"), FileMode.Open, FileAccess.Write))
            file.SetLength(9_999);

        var e = await Assert.ThrowsAsync<ObjectCorruptedException>(() => Store.ReadAllBytesAsync("shard.bin"));

        Assert.Contains("10000 bytes", e.Message);
        Assert.Contains("9999 bytes", e.Message);
    }

    [Fact]
    public async Task A_data_file_with_extra_bytes_fails_the_read()
    {
        await Store.PutBytesAsync("shard.bin", SeededRandomStream.Bytes(seed: 1, 10_000));
        await File.AppendAllTextAsync(FolderStore.DataPath("shard.bin"), "!");

        var e = await Assert.ThrowsAsync<ObjectCorruptedException>(() => Store.ReadAllBytesAsync("shard.bin"));

        Assert.Contains("10001 bytes", e.Message);
    }

    [Fact]
    public async Task Data_without_its_sidecar_is_not_an_object()
    {
        // What a crash between renaming the data into place and renaming the sidecar leaves for a new key.
        await File.WriteAllTextAsync(Path.Combine(_root, "orphan.bin"), "half committed");

        Assert.False(await Store.ExistsAsync("orphan.bin"));
        Assert.Empty(await Store.ListAsync().ToListAsync());
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => Store.OpenReadAsync("orphan.bin"));

        await Store.PutBytesAsync("orphan.bin", "committed"u8.ToArray());
        Assert.Equal("committed"u8.ToArray(), await Store.ReadAllBytesAsync("orphan.bin"));
    }

    [Fact]
    public async Task An_object_and_a_folder_of_the_same_name_conflict_and_nothing_is_written()
    {
        await Store.PutBytesAsync("runs/1", "x"u8.ToArray());
        await Store.PutBytesAsync("runs/2/metrics.json", "y"u8.ToArray());
        var before = await RawEntriesAsync();

        var underFile = await Assert.ThrowsAsync<ObjectKeyConflictException>(() => Store.PutBytesAsync("runs/1/config.json", "z"u8.ToArray()));
        var overFolder = await Assert.ThrowsAsync<ObjectKeyConflictException>(() => Store.PutBytesAsync("runs/2", "z"u8.ToArray()));

        Assert.Equal("runs/1", underFile.ConflictingKey);
        Assert.Contains("'runs/2'", overFolder.Message);
        Assert.Equal(before, await RawEntriesAsync());
    }

    [Fact]
    public async Task Deleting_the_last_object_of_a_folder_frees_the_name_for_an_object()
    {
        await Store.PutBytesAsync("runs/2/metrics.json", "y"u8.ToArray());
        await Store.DeleteAsync("runs/2/metrics.json");

        await Store.PutBytesAsync("runs/2", "now a file"u8.ToArray());

        Assert.Equal(["runs/2"], await Store.ListAsync().Select(i => i.Key).ToListAsync());
    }

    [Fact]
    public async Task Sidecars_and_staging_live_under_the_reserved_folder_only()
    {
        await Store.PutBytesAsync("a/b.bin", "1"u8.ToArray());

        var entries = await RawEntriesAsync();

        Assert.Equal(2, entries.Count);
        Assert.Contains(Path.Combine("a", "b.bin"), entries);
        Assert.Contains(entries, e => e.StartsWith(ObjectKey.ReservedFirstSegment + Path.DirectorySeparatorChar, StringComparison.Ordinal));
    }
}
