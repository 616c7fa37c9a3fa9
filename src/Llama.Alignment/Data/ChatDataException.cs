namespace Llama.Alignment.Data;

/// <summary>Chat or preference data that cannot be used; the message says where (file:line) and what is wrong.</summary>
public sealed class ChatDataException(string message) : ArgumentException(message);
