using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Llama.Pretraining.Parallel.ProcessGroups;

/// <summary>
/// The address of a contiguous tensor's first element, for native communication libraries. TorchSharp 0.107 has
/// no <c>data_ptr()</c>: a CPU tensor's <c>bytes</c> span starts at it (zero copy), and a CUDA tensor's comes from
/// the shim TorchSharp itself calls (<c>THSTensor_data</c> in libLibTorchSharp).
/// </summary>
internal static partial class TensorAddress
{
    public static unsafe IntPtr Of(Tensor tensor)
    {
        if (tensor.device_type == DeviceType.CPU)
            return tensor.NumberOfElements == 0 ? IntPtr.Zero : (IntPtr)Unsafe.AsPointer(ref MemoryMarshal.GetReference(tensor.bytes));
        return THSTensor_data(tensor.Handle);
    }

    [LibraryImport("LibTorchSharp")]
    private static partial IntPtr THSTensor_data(IntPtr tensor);
}
