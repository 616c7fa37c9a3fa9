using System.Security.Cryptography;
using Llama.Platform.Storage;

namespace Llama.Platform.Tests.Storage;

/// <summary>
/// What every <see cref="IObjectStore"/> promises, run against each implementation by a subclass that supplies
/// the store and a way to look behind its back (the raw stored entries, and corrupting stored bytes).
/// </summary>
public abstract class ObjectStoreContractTests : IAsyncLifetime
{
    private const int LargeObjectBytes = 50 * 1024 * 1024;

    /// <summary>Larger than any store's single-request limit in these tests, so the streaming paths are taken.</summary>
    private const int InterruptedObjectBytes = 24 * 1024 * 1024;

    private IObjectStore? _store;
    private readonly string _scratch = Path.Combine(Path.GetTempPath(), "llama-store-test-" + Guid.NewGuid().ToString("N")[..12]);

    protected IObjectStore Store => _store ?? throw new InvalidOperationException("store not created");

    /// <summary>A new, empty store.</summary>
    protected abstract IObjectStore CreateStore();

    /// <summary>Everything the store has written to its backend, including hidden and half-written entries.</summary>
    protected abstract Task<IReadOnlyList<string>> RawEntriesAsync();

    /// <summary>Inverts the stored byte at <paramref name="offset"/> without the store knowing.</summary>
    protected abstract Task FlipStoredByteAsync(string key, long offset);

    /// <summary>A folder for files the test reads or writes besides the store; deleted afterwards.</summary>
    protected string Scratch => _scratch;

    public virtual Task InitializeAsync()
    {
        Directory.CreateDirectory(_scratch);
        _store = CreateStore();
        return Task.CompletedTask;
    }

    public virtual Task DisposeAsync()
    {
        (_store as IDisposable)?.Dispose();
        Directory.Delete(_scratch, recursive: true);
        return Task.CompletedTask;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1_000_003)]
    public async Task Put_then_read_round_trips_content_and_sha256(int size)
    {
        byte[] content = SeededRandomStream.Bytes(seed: size, size);
        string expectedSha256 = Sha256Hex(content);

        var put = await Store.PutAsync("data/shard-0001.bin", new MemoryStream(content));

        Assert.Equal(new ObjectInfo("data/shard-0001.bin", size, expectedSha256, put.LastModified), put);
        Assert.Equal(content, await Store.ReadAllBytesAsync("data/shard-0001.bin"));
        var info = await Store.GetInfoAsync("data/shard-0001.bin");
        Assert.NotNull(info);
        Assert.Equal((put.Key, put.SizeBytes, put.Sha256), (info.Key, info.SizeBytes, info.Sha256));
        Assert.True(await Store.ExistsAsync("data/shard-0001.bin"));
    }

    [Fact]
    public async Task Put_reads_the_content_from_its_current_position()
    {
        var content = new MemoryStream("skip:payload"u8.ToArray()) { Position = 5 };

        var put = await Store.PutAsync("tail", content);

        Assert.Equal(Sha256Hex("payload"u8.ToArray()), put.Sha256);
        Assert.Equal("payload"u8.ToArray(), await Store.ReadAllBytesAsync("tail"));
    }

    [Fact]
    public async Task Overwrite_replaces_content_and_hash()
    {
        await Store.PutBytesAsync("config.json", "{\"dim\":128}"u8.ToArray());
        byte[] second = "{\"dim\":256,\"n_layers\":6}"u8.ToArray();

        var put = await Store.PutBytesAsync("config.json", second);

        Assert.Equal(Sha256Hex(second), put.Sha256);
        Assert.Equal(second, await Store.ReadAllBytesAsync("config.json"));
        Assert.Equal(put.Sha256, (await Store.GetInfoAsync("config.json"))!.Sha256);
    }

    [Fact]
    public async Task List_returns_the_keys_under_a_prefix_sorted_and_nothing_else()
    {
        string[] keys = ["runs/b/2", "runs/a/10", "runs/a/1", "runs/ab", "runs/a/sub/x", "runs/a/2", "zeta", "alpha"];
        foreach (string key in keys) await Store.PutBytesAsync(key, System.Text.Encoding.UTF8.GetBytes(key));

        Assert.Equal(["runs/a/1", "runs/a/10", "runs/a/2", "runs/a/sub/x"], await KeysAsync("runs/a/"));
        Assert.Equal(["runs/a/1", "runs/a/10", "runs/a/2", "runs/a/sub/x", "runs/ab"], await KeysAsync("runs/a"));
        Assert.Equal(keys.Order(StringComparer.Ordinal), await KeysAsync(""));
        Assert.Empty(await KeysAsync("nothing/"));

        var listed = await Store.ListAsync("runs/b/").ToListAsync();
        Assert.Equal(Sha256Hex("runs/b/2"u8.ToArray()), Assert.Single(listed).Sha256);
    }

    [Fact]
    public async Task Delete_removes_the_object_and_is_idempotent()
    {
        await Store.PutBytesAsync("tmp/a", new byte[] { 1, 2, 3 });
        await Store.PutBytesAsync("tmp/b", new byte[] { 4 });

        await Store.DeleteAsync("tmp/a");
        await Store.DeleteAsync("tmp/a");
        await Store.DeleteAsync("never/was");

        Assert.False(await Store.ExistsAsync("tmp/a"));
        Assert.Null(await Store.GetInfoAsync("tmp/a"));
        Assert.Equal(["tmp/b"], await KeysAsync(""));
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => Store.OpenReadAsync("tmp/a"));
    }

    [Fact]
    public async Task Reading_a_missing_key_throws_ObjectNotFoundException_naming_the_key()
    {
        var e = await Assert.ThrowsAsync<ObjectNotFoundException>(() => Store.OpenReadAsync("checkpoints/missing.safetensors"));

        Assert.Equal("checkpoints/missing.safetensors", e.Key);
        Assert.Contains("'checkpoints/missing.safetensors'", e.Message);
        Assert.False(await Store.ExistsAsync("checkpoints/missing.safetensors"));
    }

    public static TheoryData<string, string> InvalidKeys => new()
    {
        { "../x", "'..'" },
        { "/abs", "relative" },
        { "a//b", "empty segments" },
        { "a/./b", "'.'" },
        { "a\\b", "'\\'" },
        { "", "empty" },
        { "a/", "empty segments" },
        { "bad\nkey", "control characters" },
        { string.Concat(Enumerable.Repeat("ab/", 342)) + "c", "at most 1024 bytes" },
        { ".objectstore/sidecars/x", "reserved" },
    };

    [Theory]
    [MemberData(nameof(InvalidKeys))]
    public async Task Invalid_keys_are_refused_by_every_method_and_nothing_is_written(string key, string rule)
    {
        var e = await Assert.ThrowsAsync<InvalidObjectKeyException>(() => Store.PutAsync(key, new MemoryStream([1, 2, 3])));
        Assert.Contains(rule, e.Message);
        Assert.Contains(key.Length > 40 ? key[..40] : $"'{key.Replace("\n", "\\u000a")}'", e.Message);

        await Assert.ThrowsAsync<InvalidObjectKeyException>(() => Store.OpenReadAsync(key));
        await Assert.ThrowsAsync<InvalidObjectKeyException>(() => Store.GetInfoAsync(key));
        await Assert.ThrowsAsync<InvalidObjectKeyException>(() => Store.ExistsAsync(key));
        await Assert.ThrowsAsync<InvalidObjectKeyException>(() => Store.DeleteAsync(key));
        await Assert.ThrowsAsync<InvalidObjectKeyException>(() => Store.PutBytesAsync(key, new byte[] { 1 }));
        await Assert.ThrowsAsync<InvalidObjectKeyException>(() => Store.GetFileAsync(key, Path.Combine(Scratch, "out")));
        Assert.Empty(await RawEntriesAsync());
        Assert.Empty(Directory.GetFileSystemEntries(Scratch));
    }

    [Fact]
    public async Task A_50_MB_object_streams_in_and_out_verified()
    {
        const int seed = 42;
        string expectedSha256 = Convert.ToHexStringLower(SHA256.HashData(new SeededRandomStream(seed, LargeObjectBytes)));

        var put = await Store.PutAsync("checkpoints/step-1000/model.safetensors", new SeededRandomStream(seed, LargeObjectBytes));

        Assert.Equal(LargeObjectBytes, put.SizeBytes);
        Assert.Equal(expectedSha256, put.Sha256);
        await using var read = await Store.OpenReadAsync("checkpoints/step-1000/model.safetensors");
        var expected = new SeededRandomStream(seed, LargeObjectBytes);
        byte[] actualChunk = new byte[1 << 20], expectedChunk = new byte[1 << 20];
        long total = 0;
        int n;
        while ((n = await read.ReadAtLeastAsync(actualChunk, actualChunk.Length, throwOnEndOfStream: false)) > 0)
        {
            expected.ReadExactly(expectedChunk, 0, n);
            Assert.True(actualChunk.AsSpan(0, n).SequenceEqual(expectedChunk.AsSpan(0, n)), $"content differs in the MiB at {total}");
            total += n;
        }
        Assert.Equal(LargeObjectBytes, total);
    }

    [Fact]
    public async Task A_flipped_stored_byte_fails_the_read_with_ObjectCorruptedException()
    {
        byte[] content = SeededRandomStream.Bytes(seed: 7, 300_000);
        var put = await Store.PutBytesAsync("eval/report.json", content);
        await FlipStoredByteAsync("eval/report.json", offset: 150_000);
        content[150_000] ^= 0xFF;

        var e = await Assert.ThrowsAsync<ObjectCorruptedException>(() => Store.ReadAllBytesAsync("eval/report.json"));

        Assert.Equal("eval/report.json", e.Key);
        Assert.Equal(put.Sha256, e.ExpectedSha256);
        Assert.Equal(Sha256Hex(content), e.ActualSha256);
        Assert.Contains("'eval/report.json'", e.Message);
        Assert.Contains(put.Sha256, e.Message);
        Assert.Contains(Sha256Hex(content), e.Message);
    }

    [Fact]
    public async Task A_reader_that_takes_exactly_the_stored_length_is_verified_too()
    {
        await Store.PutBytesAsync("tokenizer.model", SeededRandomStream.Bytes(seed: 6, 1000));
        await FlipStoredByteAsync("tokenizer.model", offset: 999);

        await using var read = await Store.OpenReadAsync("tokenizer.model");

        await Assert.ThrowsAsync<ObjectCorruptedException>(() => read.ReadExactlyAsync(new byte[1000]).AsTask());
    }

    [Fact]
    public async Task GetFile_of_a_corrupted_object_leaves_no_file_behind()
    {
        await Store.PutBytesAsync("weights.bin", SeededRandomStream.Bytes(seed: 8, 100_000));
        await FlipStoredByteAsync("weights.bin", offset: 99_999);
        string target = Path.Combine(Scratch, "downloads", "weights.bin");

        await Assert.ThrowsAsync<ObjectCorruptedException>(() => Store.GetFileAsync("weights.bin", target));

        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(target)!));
    }

    [Fact]
    public async Task Cancelling_a_put_part_way_leaves_no_object_and_no_partial_upload()
    {
        using var cancel = new CancellationTokenSource();
        var source = InterruptingStream.Cancelling(new SeededRandomStream(1, InterruptedObjectBytes), InterruptedObjectBytes * 3 / 4, cancel);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.PutAsync("checkpoints/partial.bin", source, cancel.Token));

        Assert.False(await Store.ExistsAsync("checkpoints/partial.bin"));
        Assert.Empty(await Store.ListAsync().ToListAsync());
        Assert.Empty(await RawEntriesAsync());
    }

    [Fact]
    public async Task A_source_failing_part_way_through_an_overwrite_keeps_the_previous_object()
    {
        byte[] previous = SeededRandomStream.Bytes(seed: 3, 1000);
        var before = await Store.PutBytesAsync("checkpoints/latest.bin", previous);
        var failing = InterruptingStream.Throwing(new SeededRandomStream(4, InterruptedObjectBytes), InterruptedObjectBytes / 2);

        await Assert.ThrowsAsync<IOException>(() => Store.PutAsync("checkpoints/latest.bin", failing));

        Assert.Equal(previous, await Store.ReadAllBytesAsync("checkpoints/latest.bin"));
        Assert.Equal(before.Sha256, (await Store.GetInfoAsync("checkpoints/latest.bin"))!.Sha256);
        Assert.Equal(["checkpoints/latest.bin"], await KeysAsync(""));
    }

    [Fact]
    public async Task PutFile_and_GetFile_round_trip_and_replace_an_existing_file()
    {
        byte[] content = SeededRandomStream.Bytes(seed: 5, 3_000_000);
        string source = Path.Combine(Scratch, "model.safetensors");
        await File.WriteAllBytesAsync(source, content);
        string target = Path.Combine(Scratch, "restored", "model.safetensors");
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        await File.WriteAllTextAsync(target, "stale");

        var put = await Store.PutFileAsync("models/tiny/model.safetensors", source);
        await Store.GetFileAsync("models/tiny/model.safetensors", target);

        Assert.Equal(Sha256Hex(content), put.Sha256);
        Assert.Equal(content, await File.ReadAllBytesAsync(target));
        Assert.Equal([target], Directory.GetFiles(Path.GetDirectoryName(target)!));
    }

    protected static string Sha256Hex(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    private async Task<List<string>> KeysAsync(string prefix) =>
        await Store.ListAsync(prefix).Select(info => info.Key).ToListAsync();
}
