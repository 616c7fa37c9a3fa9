namespace Llama.Pretraining.Data;

/// <summary>One tokenized document of a shard set, with where it came from for error messages.</summary>
/// <param name="Id">The curation stage's document id (the train/validation split hashes it).</param>
/// <param name="Domain">general, code, math, multilingual, ...: what the domain mix samples by.</param>
/// <param name="Source">The raw source the document was curated from.</param>
/// <param name="Language">Language code from language identification.</param>
/// <param name="Shard">Full path of the Parquet shard holding the document.</param>
/// <param name="Row">Row of the document in its shard, counted from 0.</param>
/// <param name="Tokens">Token ids, <c>&lt;|begin_of_text|&gt;</c> first and <c>&lt;|end_of_text|&gt;</c> last.</param>
public sealed record TokenDocument(string Id, string Domain, string Source, string Language, string Shard, int Row, int[] Tokens)
{
    /// <summary>"file row N (document 'id')": how error messages point at this document.</summary>
    public string Location => $"{Shard} row {Row} (document '{Id}')";
}
