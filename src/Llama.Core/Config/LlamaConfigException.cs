namespace Llama.Core.Config;

/// <summary>A config.json that cannot describe a Llama model; the message names the file and the field.</summary>
public sealed class LlamaConfigException(string message, Exception? inner = null) : Exception(message, inner);
