using System.IO.MemoryMappedFiles;
using TorchSharp;

namespace Llama.Core.Checkpoints;

/// <summary>
/// A safetensors file, memory-mapped and validated when opened; tensors are read on demand.
/// </summary>
/// <remarks>
/// Mapping instead of reading lets a multi-GB checkpoint be loaded tensor by tensor with only the pages in use
/// resident. Spans from <see cref="GetBytes"/> point into the mapping and are valid until <see cref="Dispose"/>.
/// </remarks>
public sealed unsafe class SafetensorsReader : ICheckpointReader
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _start;
    private readonly long _dataStart;
    private readonly Dictionary<string, TensorInfo> _tensors;
    private bool _disposed;

    private SafetensorsReader(string path, MemoryMappedFile file, MemoryMappedViewAccessor view, byte* start, SafetensorsHeader header)
    {
        Path = path;
        _file = file;
        _view = view;
        _start = start;
        _dataStart = header.DataStart;
        Metadata = header.Metadata;
        Names = header.Tensors.Select(t => t.Name).ToArray();
        _tensors = header.Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    /// <summary>Full path of the file.</summary>
    public string Path { get; }

    /// <summary>The header's <c>__metadata__</c> strings (empty when the file has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Tensor names in data-offset order.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Maps <paramref name="path"/> and validates its header.</summary>
    /// <exception cref="SafetensorsFormatException">The file is not a well-formed safetensors file.</exception>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    public static SafetensorsReader Open(string path)
    {
        var fullPath = System.IO.Path.GetFullPath(path);
        var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        var length = stream.Length;
        if (length < 8)
        {
            // Checked before mapping because an empty file cannot be mapped.
            stream.Dispose();
            throw new SafetensorsFormatException(fullPath, null, $"file is {length} bytes, shorter than the 8-byte header length");
        }
        MemoryMappedFile? file = null;
        MemoryMappedViewAccessor? view = null;
        var pointerAcquired = false;
        try
        {
            file = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            view = file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            pointerAcquired = true;
            var start = pointer + view.PointerOffset;
            var headerBytes = (int)Math.Min(length, 8L + SafetensorsHeader.MaxHeaderBytes);
            var header = SafetensorsHeader.Parse(new ReadOnlySpan<byte>(start, headerBytes), length, fullPath);
            return new SafetensorsReader(fullPath, file, view, start, header);
        }
        catch
        {
            if (pointerAcquired)
            {
                view!.SafeMemoryMappedViewHandle.ReleasePointer();
            }
            view?.Dispose();
            if (file is null)
            {
                stream.Dispose();
            }
            file?.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public bool Contains(string name) => _tensors.ContainsKey(name);

    /// <inheritdoc />
    public TensorInfo GetInfo(string name)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _tensors.TryGetValue(name, out var info) ? info : throw new TensorNotFoundException(Path, name);
    }

    /// <summary>The tensor's raw little-endian bytes, without copying (valid until the reader is disposed).</summary>
    /// <exception cref="NotSupportedException">The tensor is 2 GiB or larger (a span cannot hold it); use <see cref="ReadTensor"/> or <see cref="CopyInto"/>.</exception>
    public ReadOnlySpan<byte> GetBytes(string name)
    {
        var info = GetInfo(name);
        if (info.ByteLength > int.MaxValue)
        {
            throw new NotSupportedException($"{Path}: tensor '{name}' has {info.ByteLength} bytes, too many for a span; use ReadTensor or CopyInto");
        }
        return new ReadOnlySpan<byte>(DataPointer(info), (int)info.ByteLength);
    }

    /// <inheritdoc />
    public torch.Tensor ReadTensor(string name)
    {
        var info = GetInfo(name);
        var tensor = torch.empty(info.Shape, info.Dtype.ToScalarType(), torch.CPU);
        try
        {
            TensorMemory.CopyInto(DataPointer(info), info.ByteLength, tensor);
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
        return tensor;
    }

    /// <inheritdoc />
    public void CopyInto(string name, torch.Tensor destination)
    {
        var info = GetInfo(name);
        var destinationShape = destination.shape;
        if (!info.HasShape(destinationShape))
        {
            // Checked here because a mismatched copy_ in libtorch may broadcast silently or abort the process.
            throw new TensorShapeMismatchException(Path, name, info.Shape, destinationShape);
        }
        using var noGrad = torch.no_grad();
        if (destination.device_type == DeviceType.CPU && destination.is_contiguous() && destination.dtype == info.Dtype.ToScalarType())
        {
            // Same layout: copy straight from the mapping, no intermediate tensor.
            TensorMemory.CopyInto(DataPointer(info), info.ByteLength, destination);
            return;
        }
        using var stored = ReadTensor(name);
        // copy_ converts the dtype and moves across devices.
        destination.copy_(stored);
    }

    private byte* DataPointer(TensorInfo info)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _start + _dataStart + info.DataBegin;
    }

    /// <summary>Unmaps the file. Spans from <see cref="GetBytes"/> must not be used afterwards.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }
}
