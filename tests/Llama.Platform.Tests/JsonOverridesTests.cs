using System.Text.Json;
using Llama.Platform.Configuration;

namespace Llama.Platform.Tests;

public class JsonOverridesTests
{
    private sealed record Schedule(double PeakLearningRate = 3e-4, long WarmupSteps = 100);
    private sealed record Config(string Model = "tiny", int EvalEvery = 50, Schedule? Schedule = null, IReadOnlyList<string>? Skip = null);

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    [Fact]
    public void Dotted_paths_set_numbers_strings_and_lists_with_their_types()
    {
        var config = JsonOverrides.Apply(new Config(Schedule: new Schedule()),
            ["schedule.peakLearningRate=1e-3", "evalEvery=10", "model=small", "skip=[\"minhash\",\"pii\"]"], Web);
        Assert.Equal(1e-3, config.Schedule!.PeakLearningRate);
        Assert.Equal(100, config.Schedule.WarmupSteps);
        Assert.Equal(10, config.EvalEvery);
        Assert.Equal("small", config.Model);
        Assert.Equal(["minhash", "pii"], config.Skip!);
    }

    [Theory]
    [InlineData("evalEvry=10", "no such setting")]
    [InlineData("model.size=3", "'model' is not a section")]
    [InlineData("evalEvery=often", "evalEvery")]
    [InlineData("evalEvery", "expected path=value")]
    public void Bad_overrides_are_clear_errors(string assignment, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => JsonOverrides.Apply(new Config(Schedule: new Schedule()), [assignment], Web));
        Assert.Contains(expected, error.Message);
    }
}
