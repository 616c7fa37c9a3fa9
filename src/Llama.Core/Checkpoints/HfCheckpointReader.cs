using TorchSharp;

namespace Llama.Core.Checkpoints;

/// <summary>
/// The weights of a Hugging Face model directory: a single <c>model.safetensors</c>, or shards listed by
/// <c>model.safetensors.index.json</c>. The index and every shard are checked when opened.
/// </summary>
/// <remarks>Like <c>transformers</c>, a <c>model.safetensors</c> present in the directory wins over an index.</remarks>
public sealed class HfCheckpointReader : ICheckpointReader
{
    private readonly IReadOnlyList<SafetensorsReader> _files;
    private readonly Dictionary<string, SafetensorsReader> _fileOfTensor;
    private readonly string _sourcePath;

    private HfCheckpointReader(string directory, string sourcePath, IReadOnlyList<SafetensorsReader> files, List<KeyValuePair<string, SafetensorsReader>> tensors)
    {
        Directory = directory;
        _sourcePath = sourcePath;
        _files = files;
        Names = tensors.Select(t => t.Key).ToArray();
        _fileOfTensor = tensors.ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
    }

    /// <summary>Full path of the model directory.</summary>
    public string Directory { get; }

    /// <summary>Paths of the safetensors files in use (one, or the shards in index order).</summary>
    public IReadOnlyList<string> FilePaths => _files.Select(f => f.Path).ToArray();

    /// <summary>Tensor names: storage order for a single file, index order for shards.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Opens the weights in <paramref name="directory"/>.</summary>
    /// <exception cref="CheckpointIndexException">No weights, a bad index, a shard missing, or a tensor missing from its shard.</exception>
    /// <exception cref="SafetensorsFormatException">A weight file is malformed.</exception>
    public static HfCheckpointReader Open(string directory)
    {
        var fullDirectory = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(fullDirectory))
        {
            throw new CheckpointIndexException(fullDirectory, null, "checkpoint directory does not exist");
        }
        var singlePath = Path.Combine(fullDirectory, HfCheckpointFiles.SingleFileName);
        if (File.Exists(singlePath))
        {
            var reader = SafetensorsReader.Open(singlePath);
            return new HfCheckpointReader(fullDirectory, singlePath, [reader],
                reader.Names.Select(name => new KeyValuePair<string, SafetensorsReader>(name, reader)).ToList());
        }
        var indexPath = Path.Combine(fullDirectory, HfCheckpointFiles.IndexFileName);
        if (File.Exists(indexPath))
        {
            return OpenSharded(fullDirectory, indexPath);
        }
        throw new CheckpointIndexException(fullDirectory, null,
            $"holds neither {HfCheckpointFiles.SingleFileName} nor {HfCheckpointFiles.IndexFileName}");
    }

    private static HfCheckpointReader OpenSharded(string directory, string indexPath)
    {
        var index = HfCheckpointIndex.Read(indexPath);
        var readers = new Dictionary<string, SafetensorsReader>(StringComparer.Ordinal);
        var opened = new List<SafetensorsReader>();
        try
        {
            var tensors = new List<KeyValuePair<string, SafetensorsReader>>(index.WeightMap.Count);
            foreach (var (tensor, fileName) in index.WeightMap)
            {
                if (!readers.TryGetValue(fileName, out var reader))
                {
                    var shardPath = Path.Combine(directory, fileName);
                    if (!File.Exists(shardPath))
                    {
                        throw new CheckpointIndexException(indexPath, tensor, $"is mapped to shard '{fileName}', which does not exist in {directory}");
                    }
                    reader = SafetensorsReader.Open(shardPath);
                    opened.Add(reader);
                    readers.Add(fileName, reader);
                }
                if (!reader.Contains(tensor))
                {
                    throw new CheckpointIndexException(reader.Path, tensor, $"{HfCheckpointFiles.IndexFileName} maps this tensor to this shard, but the shard does not contain it");
                }
                tensors.Add(new(tensor, reader));
            }
            return new HfCheckpointReader(directory, indexPath, opened, tensors);
        }
        catch
        {
            foreach (var reader in opened)
            {
                reader.Dispose();
            }
            throw;
        }
    }

    /// <summary>Path of the safetensors file holding <paramref name="name"/>.</summary>
    /// <exception cref="TensorNotFoundException">No such tensor.</exception>
    public string FilePathOf(string name) => FileOf(name).Path;

    /// <inheritdoc />
    public bool Contains(string name) => _fileOfTensor.ContainsKey(name);

    /// <inheritdoc />
    public TensorInfo GetInfo(string name) => FileOf(name).GetInfo(name);

    /// <inheritdoc />
    public torch.Tensor ReadTensor(string name) => FileOf(name).ReadTensor(name);

    /// <inheritdoc />
    public void CopyInto(string name, torch.Tensor destination) => FileOf(name).CopyInto(name, destination);

    private SafetensorsReader FileOf(string name) =>
        _fileOfTensor.TryGetValue(name, out var reader) ? reader : throw new TensorNotFoundException(_sourcePath, name);

    /// <summary>Unmaps every file.</summary>
    public void Dispose()
    {
        foreach (var reader in _files)
        {
            reader.Dispose();
        }
    }
}
