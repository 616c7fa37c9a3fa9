using static TorchSharp.torch;

namespace Llama.Core.Model;

/// <summary>Boolean attention masks for scaled_dot_product_attention (true = may attend).</summary>
public static class AttentionMasks
{
    /// <summary>
    /// The Llama 3 document mask (paper section 3.2): sequences packed from several documents attend
    /// causally and only within their own document. <paramref name="documentIds"/> [B, T] gives each
    /// position's document; the result is [B, 1, T, T].
    /// </summary>
    public static Tensor Document(Tensor documentIds)
    {
        using var scope = NewDisposeScope();
        long t = documentIds.shape[1];
        var sameDocument = documentIds.unsqueeze(2).eq(documentIds.unsqueeze(1)); // [B, T, T]
        var causal = ones(t, t, ScalarType.Bool, documentIds.device).tril();
        return sameDocument.logical_and(causal).unsqueeze(1).MoveToOuterDisposeScope();
    }

    /// <summary>Causal mask for <paramref name="newTokens"/> queries after <paramref name="cached"/> positions: [1, 1, T, cached + T].</summary>
    public static Tensor CausalAfter(int cached, int newTokens, Device device)
    {
        using var scope = NewDisposeScope();
        var query = arange(cached, cached + newTokens, ScalarType.Int64, device).unsqueeze(1);
        var key = arange(0, cached + newTokens, ScalarType.Int64, device).unsqueeze(0);
        return key.le(query).unsqueeze(0).unsqueeze(0).MoveToOuterDisposeScope();
    }

    /// <summary>Positions that restart at 0 in each packed document: [B, T] from document ids [B, T] (documents contiguous).</summary>
    public static Tensor PositionsWithinDocuments(Tensor documentIds)
    {
        using var scope = NewDisposeScope();
        long t = documentIds.shape[1];
        var index = arange(t, ScalarType.Int64, documentIds.device).expand(documentIds.shape).contiguous();
        // Start of each position's document: the index where the id last changed, found by a running max.
        var starts = documentIds.narrow(1, 1, t - 1).ne(documentIds.narrow(1, 0, t - 1));
        var isStart = cat([ones(documentIds.shape[0], 1, ScalarType.Bool, documentIds.device), starts], dim: 1);
        var startIndex = where(isStart, index, zeros_like(index)).cummax(1).values;
        return (index - startIndex).MoveToOuterDisposeScope();
    }
}
