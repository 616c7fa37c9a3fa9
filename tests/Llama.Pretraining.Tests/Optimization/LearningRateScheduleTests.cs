using Llama.Core.Training;
using System.Text.Json;

namespace Llama.Pretraining.Tests.Optimization;

public class LearningRateScheduleTests
{
    // Warm-up 10, cosine over 100, floor, anneal over the last 20 of 200 updates.
    private static readonly LearningRateSchedule Schedule = new()
    {
        PeakLearningRate = 1e-3, MinLearningRate = 1e-4, WarmupSteps = 10, DecaySteps = 100, AnnealSteps = 20, TotalSteps = 200,
    };

    [Fact]
    public void Warmup_rises_linearly_from_a_warmup_fraction_of_the_peak_to_the_peak()
    {
        Assert.Equal(1e-4, Schedule.At(0), 15);           // peak · 1/10: the first update already learns
        Assert.Equal(5e-4, Schedule.At(4), 15);
        Assert.Equal(1e-3, Schedule.At(9), 15);           // the peak at the last warm-up update
    }

    [Fact]
    public void Cosine_is_halfway_between_peak_and_floor_at_its_midpoint_and_reaches_the_floor()
    {
        Assert.Equal((1e-3 + 1e-4) / 2, Schedule.At(9 + 50), 15);
        // A quarter of the way: min + (peak - min)·(1 + cos(π/4))/2.
        Assert.Equal(1e-4 + 9e-4 * (1 + Math.Sqrt(0.5)) / 2, Schedule.At(9 + 25), 15);
        Assert.Equal(1e-4, Schedule.At(9 + 100), 15);
        Assert.Equal(1e-4, Schedule.At(179), 15);         // the floor holds until the anneal
    }

    [Fact]
    public void Anneal_goes_linearly_from_its_starting_value_to_exactly_zero_at_the_last_step()
    {
        Assert.Equal(180, Schedule.AnnealStartStep);
        Assert.Equal(1e-4 * 19 / 20, Schedule.At(180), 15);
        Assert.Equal(1e-4 * 10 / 20, Schedule.At(189), 15);
        Assert.Equal(0.0, Schedule.At(199));
        Assert.Throws<ArgumentOutOfRangeException>(() => Schedule.At(200));
    }

    [Fact]
    public void Anneal_during_cosine_starts_from_the_cosine_value()
    {
        var early = Schedule with { AnnealSteps = 150 };   // starts at update 50, mid-cosine
        double atStart = early.At(49);
        Assert.Equal(1e-4 + 9e-4 * (1 + Math.Cos(Math.PI * 40 / 100)) / 2, atStart, 15);
        Assert.Equal(atStart * 149 / 150, early.At(50), 15);
        Assert.Equal(0.0, early.At(199));
    }

    [Fact]
    public void Rate_rises_during_warmup_and_never_rises_afterwards()
    {
        for (long s = 1; s < 10; s++) Assert.True(Schedule.At(s) > Schedule.At(s - 1), $"warm-up not rising at {s}");
        for (long s = 10; s < 200; s++) Assert.True(Schedule.At(s) <= Schedule.At(s - 1), $"rate rose at {s}");
        for (long s = 180; s < 200; s++) Assert.True(Schedule.At(s) < Schedule.At(s - 1), $"anneal not falling at {s}");
    }

    [Fact]
    public void The_paper_405b_schedule_reaches_its_floor_of_8e_7()
    {
        var paper = new LearningRateSchedule
        {
            PeakLearningRate = 8e-5, MinLearningRate = 8e-7, WarmupSteps = 8_000, DecaySteps = 1_200_000, TotalSteps = 1_300_000,
        };
        Assert.Equal(8e-5, paper.At(7_999), tolerance: 1e-18);
        Assert.Equal(8e-7, paper.At(7_999 + 1_200_000), tolerance: 1e-18);
    }

    [Fact]
    public void Schedule_round_trips_through_json_and_rejects_an_anneal_overlapping_warmup()
    {
        var copy = JsonSerializer.Deserialize<LearningRateSchedule>(JsonSerializer.Serialize(Schedule))!;
        Assert.Equal(Schedule, copy);

        var bad = Schedule with { AnnealSteps = 195 };
        var ex = Assert.Throws<ScheduleConfigException>(() => bad.At(0));
        Assert.Contains("warm-up (10 steps)", ex.Message);
        Assert.Throws<ScheduleConfigException>(() => (Schedule with { MinLearningRate = 2e-3 }).Validate());
    }
}
