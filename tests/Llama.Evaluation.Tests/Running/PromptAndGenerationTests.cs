using Llama.Core.Tokenization;
using Llama.Evaluation.Requests;
using Llama.Evaluation.Running;
using Llama.Evaluation.Tasks;

namespace Llama.Evaluation.Tests.Running;

public sealed class PromptAndGenerationTests
{
    private static TaskDefinition Quiz => new TaskCatalog(Fixtures.DataDirectory).Get("quiz");

    [Fact]
    public void A_continuation_is_split_off_as_lm_eval_encodes_pairs()
    {
        var tokenizer = TestModels.Tokenizer();
        var task = Quiz;
        var prompts = new PromptBuilder(task, TaskCatalog.LoadDocuments(task), new PromptFormat(PromptFormat.Raw, 0, " ", "\n\n", 1), tokenizer);
        // A trailing space in the context moves to the continuation; context + continuation re-encode the whole text.
        var (context, continuation) = prompts.EncodePair("The capital is ", "Paris");
        Assert.Equal(tokenizer.BosId, context[0]);
        Assert.Equal("The capital is", tokenizer.Decode(context.Skip(1)));
        Assert.Equal(" Paris", tokenizer.Decode(continuation));
        Assert.Equal([tokenizer.BosId, .. tokenizer.Encode("The capital is Paris", allowSpecial: false)], context.Concat(continuation));
    }

    [Fact]
    public void Few_shot_examples_come_from_the_few_shot_pool_and_the_chat_template_wraps_the_prompt()
    {
        var tokenizer = TestModels.Tokenizer();
        var task = Quiz;
        var documents = TaskCatalog.LoadDocuments(task);
        var prompts = new PromptBuilder(task, documents, new PromptFormat(PromptFormat.ChatTemplate, 2, " ", "\n\n", 1), tokenizer);
        string text = prompts.ContextText(documents.Test[0], 0);
        var parts = text.Split("\n\n");
        Assert.Equal(3, parts.Length); // two examples, then the item
        Assert.Equal(documents.Test[0].Render(task.DocToText, "t"), parts[2]);
        Assert.Contains(documents.Fewshot, d => parts[0].StartsWith(d.Render(task.DocToText, "t"), StringComparison.Ordinal));
        var ids = prompts.EncodeContext(text);
        Assert.StartsWith("<|begin_of_text|><|start_header_id|>user<|end_header_id|>", tokenizer.Decode(ids));
        Assert.EndsWith("<|start_header_id|>assistant<|end_header_id|>\n\n", tokenizer.Decode(ids));
    }

    [Fact]
    public async Task Generation_tasks_report_their_match_metric_and_execution_tasks_pass_at_k()
    {
        var tokenizer = TestModels.Tokenizer();
        using var model = new EvaluatedModel(TestModels.Random(tokenizer), tokenizer, 256, 8);
        var catalog = new TaskCatalog(Fixtures.DataDirectory);
        var evaluator = new TaskEvaluator(model, new EvaluationSettings { Limit = 3 });

        var arithmetic = Assert.Single(await evaluator.EvaluateAsync(catalog.Get("arithmetic") with { Generation = new GenerationSettings { MaxGenToks = 8, Regex = "#### (\\-?[0-9\\.\\,]+)", Match = AnswerMatch.Numeric } }));
        Assert.Equal(3, arithmetic.Samples);
        Assert.Equal(0, arithmetic.Metrics.Single(m => m.Metric == "numeric_match").Value); // random weights do not write "#### N"

        var python = Assert.Single(await evaluator.EvaluateAsync(catalog.Get("python-output") with
        {
            Generation = new GenerationSettings { MaxGenToks = 6, Match = AnswerMatch.Execution, Samples = 2, Temperature = 1, PassK = [1, 2], Until = ["\n>>>"] },
        }));
        Assert.Equal(3, python.Samples);
        Assert.Equal(["execution_match", "pass@1", "pass@2"], python.Metrics.Select(m => m.Metric));
        Assert.Contains(python.Notes, n => n.StartsWith("sandbox: python3 -I -B", StringComparison.Ordinal));
    }
}
