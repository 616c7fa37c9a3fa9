using static TorchSharp.torch;

namespace Llama.Core.Tests.Model;

public class KvCacheTests
{
    [Fact]
    public void Cached_decoding_gives_the_same_logits_as_a_full_forward_pass()
    {
        using var scope = NewDisposeScope();
        using var model = HfReference.LoadTinyModel();
        using var noGrad = no_grad();
        var ids = HfReference.Read("input_ids");
        var full = model.Forward(ids);

        using var cache = model.CreateCache(batchSize: 2, capacity: 24);
        var pieces = new List<Tensor> { model.Forward(ids.narrow(1, 0, 10), cache) };   // prefill 10
        pieces.Add(model.Forward(ids.narrow(1, 10, 5), cache));                          // a chunk of 5 after the cache
        for (int t = 15; t < 24; t++) pieces.Add(model.Forward(ids.narrow(1, t, 1), cache)); // one token at a time
        var incremental = cat(pieces, dim: 1);

        Assert.Equal(24, cache.Length);
        float diff = HfReference.MaxAbsDifference(incremental, full);
        Assert.True(diff < 1e-4f, $"max |diff| = {diff}");
    }

    [Fact]
    public void A_full_cache_refuses_more_tokens_with_a_clear_error()
    {
        using var scope = NewDisposeScope();
        using var model = HfReference.LoadTinyModel();
        using var noGrad = no_grad();
        using var cache = model.CreateCache(batchSize: 1, capacity: 4);
        model.Forward(tensor(new long[] { 1, 2, 3 }).unsqueeze(0), cache);
        var error = Assert.Throws<InvalidOperationException>(() => model.Forward(tensor(new long[] { 4, 5 }).unsqueeze(0), cache));
        Assert.Contains("capacity of 4", error.Message);
    }
}
