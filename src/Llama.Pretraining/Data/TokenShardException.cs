namespace Llama.Pretraining.Data;

/// <summary>
/// Token shards that cannot be trained on: a missing folder, no shards, a corrupt file, a missing column, or
/// token ids from a different tokenizer. The message names the folder, file and document at fault.
/// </summary>
public sealed class TokenShardException : Exception
{
    /// <summary>Creates the exception for the folder or file at <paramref name="path"/>.</summary>
    public TokenShardException(string path, string message, Exception? inner = null, string? documentId = null, int? row = null)
        : base(message, inner)
    {
        Path = path;
        DocumentId = documentId;
        Row = row;
    }

    /// <summary>The folder or shard file at fault.</summary>
    public string Path { get; }

    /// <summary>The document at fault, when one document is.</summary>
    public string? DocumentId { get; }

    /// <summary>The document's row in <see cref="Path"/>, when one document is at fault.</summary>
    public int? Row { get; }
}
