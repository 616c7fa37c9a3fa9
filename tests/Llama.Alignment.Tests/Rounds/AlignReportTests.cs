using Llama.Alignment.Dpo;
using Llama.Alignment.RewardModel;
using Llama.Alignment.Rounds;

namespace Llama.Alignment.Tests.Rounds;

public class AlignReportTests
{
    private static ModelScores Scores(string name, double units, double quiz) => new(name,
        new Dictionary<string, double> { ["units"] = units / 2, ["quiz"] = 0 },
        new PreferenceMetrics(20, 0.5, 0.01, (units + quiz) / 2, 0.3, new Dictionary<string, double> { ["units"] = units, ["quiz"] = quiz }));

    [Fact]
    public void The_report_splits_preference_accuracy_by_task_for_every_model()
    {
        var round = new RoundReport(1, Scores("round 1 SFT", 0.6, 0.5), new RewardAccuracy(20, 0.7, 0.2), 10, 40, 12, 8, 5,
            Scores("round 1 DPO", 0.9, 0.45), "10 kept", "20 kept");
        var report = new AlignReport(Scores("base", 0.3, 0.55), [round], "final", new Dictionary<string, int> { ["units"] = 10, ["quiz"] = 10 }, 20);

        string markdown = report.ToMarkdown();

        Assert.Contains("| model | units | quiz |", markdown);
        Assert.Contains("| base | 30.0 % | 55.0 % |", markdown);
        Assert.Contains("| round 1 SFT | 60.0 % | 50.0 % |", markdown);
        Assert.Contains("| round 1 DPO | 90.0 % | 45.0 % |", markdown);
    }

    [Fact]
    public void The_report_says_how_many_held_out_rankings_DPO_flipped_against_SFT_and_how_likely_that_is_by_chance()
    {
        var againstSft = new PreferenceMetrics(20, 0.6, 0.2, 0.7, 1.0, RankingsGained: 9, RankingsLost: 1);
        var round = new RoundReport(1, Scores("round 1 SFT", 0.6, 0.5), new RewardAccuracy(20, 0.7, 0.2), 10, 40, 12, 8, 5,
            Scores("round 1 DPO", 0.9, 0.45) with { PreferencesAgainstReference = againstSft }, "10 kept", "20 kept");
        var report = new AlignReport(Scores("base", 0.3, 0.55), [round], "final", new Dictionary<string, int> { ["units"] = 10 }, 20);

        string markdown = report.ToMarkdown();

        Assert.Contains("Pairs DPO ranks right and SFT wrong: 9; the reverse: 1 (two-sided sign test p = 0.0215)", markdown);
        Assert.Equal(9, AlignRunner.Metrics(round.Dpo)["preference.rankings_gained_vs_reference"]);
    }

    [Fact]
    public void Per_task_preference_accuracy_is_recorded_as_metrics()
    {
        var metrics = AlignRunner.Metrics(Scores("round 1 DPO", 0.9, 0.45));

        Assert.Equal(0.9, metrics["preference.logprob_accuracy.units"]);
        Assert.Equal(0.45, metrics["preference.logprob_accuracy.quiz"]);
        Assert.Equal(0.675, metrics["preference.logprob_accuracy"], 6);
    }
}
