using TorchSharp;
using static TorchSharp.torch;

namespace Llama.Core.Model;

/// <summary>The registration step of swapping a projection module for another under the same name.</summary>
internal static class ProjectionSwap
{
    public static void Reregister(nn.Module owner, string name, nn.Module old, nn.Module replacement)
    {
        // TorchSharp refuses to register a name twice; registering null removes the old entry.
        owner.register_module(name, null!);
        owner.register_module(name, replacement);
        old.Dispose();
    }
}
