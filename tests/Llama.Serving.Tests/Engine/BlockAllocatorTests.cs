using Llama.Serving.Engine;

namespace Llama.Serving.Tests.Engine;

public class BlockAllocatorTests
{
    private static int[] Tokens(int count, int offset = 0) => Enumerable.Range(offset, count).ToArray();

    [Fact]
    public void Blocks_run_out_and_come_back_when_released()
    {
        var blocks = new BlockAllocator(numBlocks: 3, blockSize: 4);
        var taken = new[] { blocks.Allocate(), blocks.Allocate(), blocks.Allocate() };
        Assert.Equal(3, taken.Distinct().Count());
        Assert.Equal(0, blocks.FreeBlocks);
        Assert.Throws<InvalidOperationException>(() => blocks.Allocate());
        blocks.ReleaseAll(taken);
        Assert.Equal(3, blocks.FreeBlocks);
        Assert.Equal(0, blocks.UsedBlocks);
    }

    [Fact]
    public void Releasing_a_block_more_often_than_it_was_taken_is_an_error()
    {
        var blocks = new BlockAllocator(2, 4);
        int b = blocks.Allocate();
        blocks.Release(b);
        Assert.Throws<InvalidOperationException>(() => blocks.Release(b));
    }

    [Fact]
    public void A_finished_prompts_full_blocks_are_found_again_by_the_same_prefix()
    {
        var blocks = new BlockAllocator(8, 4);
        var prompt = Tokens(10); // two full blocks and a partial one
        var table = new List<int> { blocks.Allocate(), blocks.Allocate(), blocks.Allocate() };
        blocks.RegisterFullBlocks(prompt, table, fullBlocks: 2);
        blocks.ReleaseAll(table);

        var longer = Tokens(8).Concat([99, 98, 97]).ToArray();
        var found = blocks.TakeCachedPrefix(longer, maxBlocks: 5);
        Assert.Equal(table.Take(2), found);
        Assert.Equal(2, blocks.UsedBlocks); // the reused blocks are referenced again
        Assert.Equal(2, blocks.PrefixHits);
    }

    [Fact]
    public void A_block_is_found_only_after_the_same_earlier_blocks_because_hashes_chain()
    {
        var blocks = new BlockAllocator(8, 4);
        var first = Tokens(8);
        var table = new List<int> { blocks.Allocate(), blocks.Allocate() };
        blocks.RegisterFullBlocks(first, table, 2);
        // Same second block, different first block: nothing is shared.
        var other = Tokens(4, offset: 100).Concat(first.Skip(4)).ToArray();
        Assert.Empty(blocks.TakeCachedPrefix(other, 2));
    }

    [Fact]
    public void Handing_out_a_freed_block_again_forgets_the_prefix_it_held()
    {
        var blocks = new BlockAllocator(1, 4);
        var prompt = Tokens(4);
        int b = blocks.Allocate();
        blocks.RegisterFullBlocks(prompt, [b], 1);
        blocks.Release(b);
        Assert.Equal(1, blocks.CountCachedPrefix(prompt, 1));
        blocks.Release(blocks.Allocate()); // reused for something else
        Assert.Equal(0, blocks.CountCachedPrefix(prompt, 1));
        Assert.Empty(blocks.TakeCachedPrefix(prompt, 1));
    }

    [Fact]
    public void The_least_recently_freed_block_is_reused_first_so_recent_prefixes_survive()
    {
        var blocks = new BlockAllocator(2, 4);
        int old = blocks.Allocate(), recent = blocks.Allocate();
        blocks.RegisterFullBlocks(Tokens(4), [old], 1);
        blocks.RegisterFullBlocks(Tokens(4, 50), [recent], 1);
        blocks.Release(old);
        blocks.Release(recent);
        Assert.Equal(old, blocks.Allocate());
        Assert.Equal(1, blocks.CountCachedPrefix(Tokens(4, 50), 1));
    }
}
