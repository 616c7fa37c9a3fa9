using Llama.Core.Training;
using System.Text.Json;
using Llama.Pretraining.Optimization;

namespace Llama.Pretraining.Tests.Optimization;

public class StagedScheduleTests
{
    [Fact]
    public void Paper_batch_ramp_doubles_after_252m_and_2_87t_tokens()
    {
        var ramp = BatchRamp.Llama3Paper405B;
        Assert.Equal(4_194_304, ramp.BatchTokensAt(0));
        Assert.Equal(1_024, ramp.SequencesAt(0, 4_096));
        Assert.Equal(4_194_304, ramp.BatchTokensAt(251_999_999));
        Assert.Equal(8_388_608, ramp.BatchTokensAt(252_000_000));
        Assert.Equal(1_024, ramp.SequencesAt(252_000_000, 8_192));   // the paper's 8M batch of 8,192-token sequences
        Assert.Equal(16_777_216, ramp.BatchTokensAt(2_870_000_000_000));
        Assert.Equal(16_777_216, ramp.BatchTokensAt(15_600_000_000_000));
    }

    [Fact]
    public void Batch_that_is_not_whole_sequences_is_refused()
    {
        var ex = Assert.Throws<ScheduleConfigException>(() => BatchRamp.Constant(1_000).SequencesAt(0, 128));
        Assert.Contains("1000 tokens", ex.Message);
    }

    [Fact]
    public void Ramps_with_unordered_thresholds_nonzero_start_or_empty_sizes_are_refused()
    {
        var unordered = new BatchRamp([new(0, 4_096), new(100, 8_192), new(100, 16_384)]);
        Assert.Contains("stage 2 threshold (100 tokens) must exceed stage 1's (100)",
            Assert.Throws<ScheduleConfigException>(() => unordered.Validate()).Message);
        Assert.Throws<ScheduleConfigException>(() => new BatchRamp([new(10, 4_096)]).BatchTokensAt(20));
        Assert.Throws<ScheduleConfigException>(() => new BatchRamp([new(0, 0)]).Validate());
        Assert.Throws<ScheduleConfigException>(() => new BatchRamp([]).Validate());
    }

    [Fact]
    public void Context_lengthens_at_each_threshold()
    {
        var schedule = new ContextSchedule([new(0, 128), new(1_000, 256), new(5_000, 512)]);
        Assert.Equal(128, schedule.SequenceLengthAt(0));
        Assert.Equal(128, schedule.SequenceLengthAt(999));
        Assert.Equal(256, schedule.SequenceLengthAt(1_000));
        Assert.Equal(512, schedule.SequenceLengthAt(1_000_000));
        Assert.Equal(512, schedule.MaxSequenceLength);
        Assert.Equal(256, ContextSchedule.Tiny.MaxSequenceLength);
    }

    [Fact]
    public void Context_that_shortens_is_refused()
    {
        var shrinking = new ContextSchedule([new(0, 256), new(1_000, 128)]);
        Assert.Contains("context only lengthens", Assert.Throws<ScheduleConfigException>(() => shrinking.Validate()).Message);
    }

    [Fact]
    public void Ramps_round_trip_through_json()
    {
        var ramp = JsonSerializer.Deserialize<BatchRamp>(JsonSerializer.Serialize(BatchRamp.Tiny))!;
        Assert.Equal(BatchRamp.Tiny.Stages, ramp.Stages);
        var context = JsonSerializer.Deserialize<ContextSchedule>(JsonSerializer.Serialize(ContextSchedule.Tiny))!;
        Assert.Equal(ContextSchedule.Tiny.Stages, context.Stages);
    }
}
