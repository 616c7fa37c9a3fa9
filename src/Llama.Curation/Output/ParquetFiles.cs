using Parquet.Serialization;

namespace Llama.Curation.Output;

/// <summary>Writes and reads row classes as Parquet (Parquet.Net's serializer), atomically: temp file, then rename.</summary>
public static class ParquetFiles
{
    public static async Task WriteAsync<T>(string path, IReadOnlyCollection<T> rows, CancellationToken cancellation = default) where T : class, new()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        string temp = path + ".tmp";
        await using (var stream = File.Create(temp))
            await ParquetSerializer.SerializeAsync(rows, stream, cancellationToken: cancellation);
        File.Move(temp, path, overwrite: true);
    }

    public static async Task<IList<T>> ReadAsync<T>(string path, CancellationToken cancellation = default) where T : class, new()
    {
        await using var stream = File.OpenRead(path);
        var result = await ParquetSerializer.DeserializeAsync<T>(stream, cancellationToken: cancellation);
        return result.Data;
    }
}
