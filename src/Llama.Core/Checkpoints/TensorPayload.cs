using TorchSharp;

namespace Llama.Core.Checkpoints;

/// <summary>One tensor waiting to be written: what the header needs up front, and a way to stream its bytes later.</summary>
/// <remarks>
/// The header holds every tensor's offsets, so sizes are known before any data is produced; the bytes of each
/// tensor (a device-to-CPU copy for a GPU tensor) are produced only when its turn comes, one at a time.
/// </remarks>
internal abstract class TensorPayload
{
    protected TensorPayload(string name, SafetensorsDtype dtype, long[] shape)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw new ArgumentException("a tensor name must not be empty", nameof(name));
        }
        if (name == SafetensorsHeader.MetadataKey)
        {
            throw new ArgumentException($"'{SafetensorsHeader.MetadataKey}' is reserved for the metadata map and cannot name a tensor", nameof(name));
        }
        Name = name;
        Dtype = dtype;
        Shape = shape;
        long bytes = dtype.ElementSize();
        foreach (var dimension in shape)
        {
            bytes = checked(bytes * dimension);
        }
        ByteLength = bytes;
    }

    public string Name { get; }
    public SafetensorsDtype Dtype { get; }
    public long[] Shape { get; }
    public long ByteLength { get; }

    /// <summary>Writes exactly <see cref="ByteLength"/> bytes.</summary>
    public abstract void WriteTo(Stream stream);

    public static TensorPayload From(string name, torch.Tensor tensor) => new TorchTensorPayload(name, tensor);

    public static TensorPayload From(SafetensorsEntry entry) => new RawBytesPayload(entry);

    private sealed class TorchTensorPayload(string name, torch.Tensor tensor)
        : TensorPayload(name, DtypeOf(name, tensor), tensor.shape)
    {
        public override void WriteTo(Stream stream)
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            // Only tensors created here are registered in the scope, so the caller's tensor is never disposed.
            var onCpu = tensor.device_type == DeviceType.CPU ? tensor : tensor.cpu();
            var contiguous = onCpu.is_contiguous() ? onCpu : onCpu.contiguous();
            TensorMemory.WriteTo(contiguous, stream);
        }

        private static SafetensorsDtype DtypeOf(string name, torch.Tensor tensor) =>
            SafetensorsDtypes.TryFromScalarType(tensor.dtype, out var dtype)
                ? dtype
                : throw new ArgumentException($"tensor '{name}': torch dtype {tensor.dtype} ({(int)tensor.dtype}) has no safetensors equivalent");
    }

    private sealed class RawBytesPayload : TensorPayload
    {
        private readonly ReadOnlyMemory<byte> _data;

        public RawBytesPayload(SafetensorsEntry entry) : base(entry.Name, entry.Dtype, (long[])entry.Shape.Clone())
        {
            if (entry.Data.Length != ByteLength)
            {
                throw new ArgumentException(
                    $"tensor '{entry.Name}': {entry.Dtype} {TensorInfo.FormatShape(entry.Shape)} needs {ByteLength} bytes but {entry.Data.Length} were given");
            }
            _data = entry.Data;
        }

        public override void WriteTo(Stream stream) => stream.Write(_data.Span);
    }
}
