using Llama.Evaluation.Requests;

namespace Llama.Evaluation.Tests.Requests;

public sealed class RollingWindowsTests
{
    [Fact]
    public void Windows_match_the_harness_for_a_text_longer_than_the_window()
    {
        // lm_eval get_rolling_token_windows([1..10], prefix 0, max_seq_len 4, context_len 1) + make_disjoint_window,
        // worked by hand: ([0],[1,2,3,4]), ([4],[5,6,7,8]), ([6,7,8],[9,10]).
        var windows = RollingWindows.Split(Enumerable.Range(1, 10).ToArray(), prefixToken: 0, maxLength: 4);
        Assert.Equal(3, windows.Count);
        Assert.Equal([0], windows[0].Context);
        Assert.Equal([1, 2, 3, 4], windows[0].Continuation);
        Assert.Equal([4], windows[1].Context);
        Assert.Equal([5, 6, 7, 8], windows[1].Continuation);
        Assert.Equal([6, 7, 8], windows[2].Context);
        Assert.Equal([9, 10], windows[2].Continuation);
    }

    [Fact]
    public void Every_token_is_predicted_exactly_once_and_no_input_exceeds_the_window()
    {
        var tokens = Enumerable.Range(100, 37).ToArray();
        var windows = RollingWindows.Split(tokens, 1, maxLength: 8);
        Assert.Equal(tokens, windows.SelectMany(w => w.Continuation));
        Assert.All(windows, w => Assert.True(w.Context.Count + w.Continuation.Count - 1 <= 8));
    }

    [Fact]
    public void An_empty_text_has_no_windows() => Assert.Empty(RollingWindows.Split([], 1, 8));
}
