using Llama.Core.Model;
using static TorchSharp.torch;

namespace Llama.Core.Tests.Model;

public class DocumentMaskTests
{
    [Fact]
    public void Packed_documents_give_the_same_logits_as_separate_forward_passes()
    {
        using var scope = NewDisposeScope();
        using var model = HfReference.LoadTinyModel();
        using var noGrad = no_grad();
        var ids = HfReference.Read("input_ids");
        var first = ids.narrow(0, 0, 1).narrow(1, 0, 9);
        var second = ids.narrow(0, 1, 1).narrow(1, 0, 15);
        var packed = cat([first, second], dim: 1);                                   // [1, 24]
        var documents = tensor(Enumerable.Repeat(0L, 9).Concat(Enumerable.Repeat(1L, 15)).ToArray()).unsqueeze(0);
        var positions = AttentionMasks.PositionsWithinDocuments(documents);

        var together = model.Forward(packed, positions: positions, documentIds: documents);
        var separate = cat([model.Forward(first), model.Forward(second)], dim: 1);

        float diff = HfReference.MaxAbsDifference(together, separate);
        Assert.True(diff < 1e-4f, $"max |diff| = {diff}");
    }

    [Fact]
    public void Without_the_mask_a_second_document_sees_the_first()
    {
        using var scope = NewDisposeScope();
        using var model = HfReference.LoadTinyModel();
        using var noGrad = no_grad();
        var ids = HfReference.Read("input_ids").narrow(0, 0, 1);
        var documents = tensor(Enumerable.Repeat(0L, 12).Concat(Enumerable.Repeat(1L, 12)).ToArray()).unsqueeze(0);
        var masked = model.Forward(ids, documentIds: documents);
        var unmasked = model.Forward(ids);
        // Same prefix positions agree; the second document's logits differ once it may not look back.
        Assert.True(HfReference.MaxAbsDifference(masked.narrow(1, 0, 12), unmasked.narrow(1, 0, 12)) < 1e-5f);
        Assert.True(HfReference.MaxAbsDifference(masked.narrow(1, 12, 12), unmasked.narrow(1, 12, 12)) > 1e-3f);
    }

    [Fact]
    public void Positions_restart_in_each_document()
    {
        using var scope = NewDisposeScope();
        var documents = tensor(new long[] { 0, 0, 0, 1, 1, 2, 2, 2, 2 }).unsqueeze(0);
        var positions = AttentionMasks.PositionsWithinDocuments(documents).data<long>().ToArray();
        Assert.Equal(new long[] { 0, 1, 2, 0, 1, 0, 1, 2, 3 }, positions);
    }
}
