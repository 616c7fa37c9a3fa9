using Llama.Alignment.Data;
using Llama.Alignment.Data.Synthetic;

namespace Llama.Alignment.Rounds;

/// <summary>
/// The data of an alignment run, drawn once from the task suite and the user's files: training examples and pairs
/// from the training side of each task's split, evaluation prompts and pairs from the held-out side.
/// </summary>
public sealed record AlignData(
    IReadOnlyList<ChatExample> SftExamples,
    IReadOnlyList<PreferencePair> TrainPairs,
    IReadOnlyList<PreferencePair> HeldOutPairs,
    IReadOnlyList<TaskPrompt> HeldOutPrompts,
    TaskSuite? Suite)
{
    public static AlignData Create(AlignConfig config)
    {
        var suite = config.Tasks.Count > 0 ? TaskSuite.Create(config.Tasks, config.DataFolder, config.HeldOutFraction) : null;
        var sft = new List<ChatExample>();
        var train = new List<PreferencePair>();
        var heldOutPairs = new List<PreferencePair>();
        var prompts = new List<TaskPrompt>();
        if (suite is not null)
        {
            sft.AddRange(suite.Sample(false, config.SftItemsPerTask, config.Seed).Select(TaskSuite.ToExample));
            train.AddRange(suite.Sample(false, config.PairItemsPerTask, config.Seed + 1).SelectMany(i => TaskSuite.ToPairs(i, config.WrongAnswersPerItem)));
            prompts.AddRange(suite.Sample(true, config.EvalItemsPerTask, config.Seed + 2).Select(TaskSuite.ToPrompt));
            // Held-out pairs are drawn like the training pairs (same wrong answers per item), from more items than
            // the prompts: scoring a pair is one forward pass, generating an answer is many.
            heldOutPairs.AddRange(suite.Sample(true, config.EvalPairItemsPerTask, config.Seed + 2).SelectMany(i => TaskSuite.ToPairs(i, config.WrongAnswersPerItem)));
        }
        if (config.SftJsonl is { } sftPath) sft.AddRange(ChatJsonl.ReadConversations(sftPath));
        if (config.PreferencesJsonl is { } pairPath) train.AddRange(ChatJsonl.ReadPreferences(pairPath));
        return new AlignData(sft, train, heldOutPairs, prompts, suite);
    }

    /// <summary>Training-side prompts for rejection sampling in round <paramref name="round"/> (a fresh draw each round).</summary>
    public IReadOnlyList<TaskPrompt> RejectionPrompts(AlignConfig config, int round) =>
        Suite?.Sample(false, config.RejectionPromptsPerTask, config.Seed + 100 + round).Select(TaskSuite.ToPrompt).ToList() ?? [];
}
