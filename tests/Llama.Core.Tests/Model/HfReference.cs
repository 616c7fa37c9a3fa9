using Llama.Core.Checkpoints;
using Llama.Core.Model;
using static TorchSharp.torch;

namespace Llama.Core.Tests.Model;

/// <summary>The transformers reference for tests/fixtures/hf-llama3-tiny (see tests/fixtures/README.md).</summary>
internal static class HfReference
{
    public static Tensor Read(string name)
    {
        using var reader = SafetensorsReader.Open(Path.Combine(Fixtures.HfTiny, "reference.safetensors"));
        return reader.ReadTensor(name);
    }

    public static LlamaModel LoadTinyModel() => LlamaDirectory.Load(Fixtures.HfTiny);

    public static float MaxAbsDifference(Tensor a, Tensor b)
    {
        using var diff = (a.to(ScalarType.Float32) - b.to(ScalarType.Float32)).abs().max();
        return diff.item<float>();
    }
}
