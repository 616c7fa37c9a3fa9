namespace Llama.Core; internal static class AssemblyMarker { }
