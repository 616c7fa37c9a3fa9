namespace Llama.Pretraining; internal static class AssemblyMarker { }
