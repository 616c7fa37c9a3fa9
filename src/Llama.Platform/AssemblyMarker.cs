namespace Llama.Platform; internal static class AssemblyMarker { }
