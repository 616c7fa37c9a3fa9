namespace Llama.Pretraining.Data;

/// <summary>
/// Packs a stream of documents into rows of T inputs and T targets. A row reads T+1 tokens (inputs are the first T,
/// targets the last T) and the next row starts at that row's last token, so every token is an input once and
/// every next-token transition is a target once; a document longer than what is left of a row continues in the
/// next row (or the next batch).
/// </summary>
/// <remarks>
/// Masking: the target of a document's last token would be the next document's first token, a transition that
/// means nothing, so it is <see cref="Batch.IgnoreIndex"/>. A document's first token (&lt;|begin_of_text|&gt;) stays
/// an input with its real target: predicting how documents begin is what generation from &lt;|begin_of_text|&gt;
/// needs, and &lt;|begin_of_text|&gt; itself is never a target because only that masked transition leads to it.
/// Document ids count from 0 in each row and positions restart at 0 at each document start and at the start of
/// a row, also for a document continued from the previous row (as torchtitan does): with the document mask a
/// row's part of a document cannot see the part before it anyway, so its positions start afresh.
/// </remarks>
internal sealed class SequencePacker(Func<TokenDocument?> nextDocument)
{
    /// <summary>Input id of padding after the last validation document (any id in the vocabulary would do: its target is ignored).</summary>
    public const long PaddingTokenId = 0;

    /// <summary>The ids of <see cref="Current"/>, fetched once per document (a shard document reads them from its cache).</summary>
    private int[] _tokens = [];

    /// <summary>The document being read, or null before the first.</summary>
    public TokenDocument? Current { get; private set; }

    /// <summary>Index in <see cref="Current"/> of the next token to read.</summary>
    public int Offset { get; private set; }

    public void ContinueFrom(TokenDocument? document, int offset)
    {
        if (document is not null && (offset < 0 || offset > document.Length))
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"{document.Location} has {document.Length} tokens");
        Current = document;
        _tokens = document?.Tokens ?? [];
        Offset = document is null ? 0 : offset;
    }

    /// <summary>
    /// Writes row <paramref name="row"/> of [B, T] arrays. When the stream ends inside the row, the rest is padding
    /// with ignored targets; returns false (nothing written) when fewer than two tokens are left, i.e. no target.
    /// </summary>
    public bool FillRow(int row, int sequenceLength, long[] inputs, long[] targets, long[] documentIds, long[] positions,
        Dictionary<string, long> tokensByDomain)
    {
        int t = sequenceLength;
        var tokens = new long[t + 1];
        var startsDocument = new bool[t + 1];
        var domains = new string[t + 1];
        int read = 0;
        while (read <= t)
        {
            if (Current is null || Offset == _tokens.Length)
            {
                Current = nextDocument();
                Offset = 0;
                if (Current is null) break;
                _tokens = Current.Tokens;
            }
            tokens[read] = _tokens[Offset];
            startsDocument[read] = Offset == 0;
            domains[read] = Current.Domain;
            Offset++;
            read++;
        }
        if (read < 2) return false;
        if (read == t + 1) Offset--; // the row's last target is the next row's first input

        long documentId = -1, position = 0;
        for (int i = 0; i < t; i++)
        {
            int at = row * t + i;
            bool newDocument = i == 0 || (i < read ? startsDocument[i] : i == read);
            if (newDocument) { documentId++; position = 0; }
            else position++;
            documentIds[at] = documentId;
            positions[at] = position;
            if (i < read)
            {
                inputs[at] = tokens[i];
                targets[at] = i + 1 < read && !startsDocument[i + 1] ? tokens[i + 1] : Batch.IgnoreIndex;
                tokensByDomain[domains[i]] = tokensByDomain.GetValueOrDefault(domains[i]) + 1;
            }
            else
            {
                inputs[at] = PaddingTokenId;
                targets[at] = Batch.IgnoreIndex;
            }
        }
        return true;
    }
}
