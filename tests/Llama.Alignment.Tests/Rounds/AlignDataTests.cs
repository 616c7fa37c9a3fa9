using Llama.Alignment.Data.Synthetic;
using Llama.Alignment.Rounds;

namespace Llama.Alignment.Tests.Rounds;

public class AlignDataTests
{
    private static string Item(string pairId) => pairId[..pairId.LastIndexOf('#')];

    [Fact]
    public void Held_out_pairs_are_drawn_like_the_training_pairs_from_more_items_than_the_prompts()
    {
        var config = new AlignConfig
        {
            Tasks = ["arithmetic", "units"], DataFolder = RepositoryData.HeldOutFolder, WrongAnswersPerItem = 2, EvalItemsPerTask = 5, EvalPairItemsPerTask = 30,
        };

        var data = AlignData.Create(config);

        Assert.Equal(10, data.HeldOutPrompts.Count);
        // 30 items per task, each against its first two wrong answers (0 x 0 has only one), as the training pairs are built.
        var items = data.Suite!.Tasks.SelectMany(t => data.Suite.Items(t, heldOut: true)).ToDictionary(i => i.Id);
        var groups = data.HeldOutPairs.GroupBy(p => Item(p.Id)).ToList();
        Assert.Equal(60, groups.Count);
        Assert.All(groups, g => Assert.Equal(items[g.Key].WrongAnswers.Take(2), g.Select(p => p.Rejected)));
        Assert.InRange(data.HeldOutPairs.Count, 115, 120);
        Assert.Equal(2, data.TrainPairs.GroupBy(p => Item(p.Id)).Max(g => g.Count()));
        // The exact-match prompts are among the scored items, and nothing held out is trained on.
        var scored = data.HeldOutPairs.Select(p => Item(p.Id)).ToHashSet();
        Assert.All(data.HeldOutPrompts, p => Assert.Contains(p.Id, scored));
        Assert.Empty(data.TrainPairs.Select(p => Item(p.Id)).Intersect(scored));
        Assert.All(data.HeldOutPairs, p => Assert.True(HeldOutSplit.IsHeldOut(Item(p.Id), config.HeldOutFraction)));
    }

    [Fact]
    public void Eval_sizes_below_zero_are_refused()
    {
        var bad = new AlignConfig { DataFolder = RepositoryData.HeldOutFolder, EvalPairItemsPerTask = -1 };

        Assert.Contains("evalPairItemsPerTask", Assert.Throws<ArgumentException>(bad.Validate).Message);
    }
}
