namespace Llama.Core.Checkpoints;

/// <summary>What a safetensors header says about one tensor.</summary>
/// <remarks>Offsets are relative to the first byte after the header, as in the file.</remarks>
public sealed class TensorInfo
{
    private readonly long[] _shape;

    /// <summary>Creates the description of one stored tensor.</summary>
    public TensorInfo(string name, SafetensorsDtype dtype, long[] shape, long dataBegin, long dataEnd)
    {
        Name = name;
        Dtype = dtype;
        _shape = (long[])shape.Clone();
        DataBegin = dataBegin;
        DataEnd = dataEnd;
    }

    /// <summary>Tensor name as stored (e.g. <c>model.layers.0.self_attn.q_proj.weight</c>).</summary>
    public string Name { get; }

    /// <summary>Element type in the file.</summary>
    public SafetensorsDtype Dtype { get; }

    /// <summary>Shape, outermost dimension first (a copy: callers may keep or change it).</summary>
    public long[] Shape => (long[])_shape.Clone();

    /// <summary>Number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>Start of the data, relative to the end of the header.</summary>
    public long DataBegin { get; }

    /// <summary>End (exclusive) of the data, relative to the end of the header.</summary>
    public long DataEnd { get; }

    /// <summary>Bytes of data (<see cref="DataEnd"/> - <see cref="DataBegin"/>).</summary>
    public long ByteLength => DataEnd - DataBegin;

    /// <summary>Number of elements (1 for a scalar).</summary>
    public long ElementCount
    {
        get
        {
            long count = 1;
            foreach (var dimension in _shape)
            {
                count *= dimension;
            }
            return count;
        }
    }

    /// <summary>True when <paramref name="shape"/> has the same dimensions.</summary>
    public bool HasShape(ReadOnlySpan<long> shape) => shape.SequenceEqual(_shape);

    /// <summary>The shape as <c>[a, b, c]</c>, for messages.</summary>
    public string ShapeText => FormatShape(_shape);

    /// <inheritdoc />
    public override string ToString() => $"{Name}: {Dtype} {ShapeText} @[{DataBegin}, {DataEnd})";

    internal static string FormatShape(ReadOnlySpan<long> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";
}
