using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Llama.Web.Tests;

/// <summary>The pages as a person uses them, in headless Chromium: what they show and where their links go.</summary>
public sealed class BrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private readonly List<string> _scriptErrors = [];
    private IPage _page = null!;
    private SeededPlatform Seed => browser.Web.Seed;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_page is not null) await _page.Context.CloseAsync();
        Assert.Empty(_scriptErrors);
    }

    [Fact]
    public async Task A_run_opened_from_the_list_shows_its_loss_curve_with_validation_loss_and_its_checkpoints()
    {
        _page = await browser.OpenAsync("#/runs", _scriptErrors);
        await _page.GetByRole(AriaRole.Link, new() { Name = SeededPlatform.RunName }).ClickAsync();

        await Expect(_page.Locator("h1")).ToContainTextAsync($"Run {SeededPlatform.RunName}");
        await Expect(_page.Locator("h1 .status")).ToHaveTextAsync("Succeeded");
        var loss = _page.Locator("figure[data-chart='loss']");
        await Expect(loss.Locator("polyline[data-series='loss']")).ToHaveAttributeAsync("data-points", SeededPlatform.TrainingSteps.ToString());
        await Expect(loss.Locator("polyline[data-series='validation_loss']")).ToHaveAttributeAsync("data-points", "4");
        await Expect(_page.Locator("figure[data-chart='lr'] polyline")).ToHaveCountAsync(1);
        // A metric logged once is a value in the table, not a chart.
        await Expect(_page.Locator("figure[data-chart='final_validation_loss']")).ToHaveCountAsync(0);
        await _page.GetByText("Latest values").ClickAsync();
        await Expect(_page.Locator("details.latest tr", new() { HasText = "final_validation_loss" })).ToContainTextAsync("4.55");
        // The checkpoint table lists both steps and links to their artifacts.
        await Expect(_page.GetByRole(AriaRole.Link, new() { Name = "tiny-pretrain/step-20" }).First).ToHaveAttributeAsync("href", $"#/artifacts/{Seed.Checkpoint20}");
        await Expect(_page.GetByText("\"preset\": \"smoke\"")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_running_run_refreshes_itself_and_shows_the_metrics_logged_since_it_was_opened()
    {
        _page = await browser.OpenAsync($"#/runs/{Seed.RunningRun}", _scriptErrors);
        await Expect(_page.Locator("h1 .status")).ToHaveTextAsync("Running");
        await Expect(_page.GetByText("No metrics recorded.")).ToBeVisibleAsync();

        await using (var db = browser.Web.Store.CreateContext())
        {
            db.Metrics.AddRange(
                new Llama.Platform.Metadata.Metric { RunId = Seed.RunningRun, Name = "sft_loss", Step = 1, Value = 2.5 },
                new Llama.Platform.Metadata.Metric { RunId = Seed.RunningRun, Name = "sft_loss", Step = 2, Value = 2.0 });
            await db.SaveChangesAsync();
        }
        // The page polls every 5 s while the run is live.
        await Expect(_page.Locator("figure[data-chart='sft_loss'] polyline")).ToHaveAttributeAsync("data-points", "2", new() { Timeout = 15_000 });
    }

    [Fact]
    public async Task Server_sent_events_are_parsed_across_chunk_boundaries_until_done()
    {
        _page = await browser.OpenAsync("#/chat", _scriptErrors);
        // The shared SSE reader (chat tokens, job progress), fed a body cut at awkward places: inside a field, inside "\r\n\r\n",
        // with a two-line data field, a comment line, and events after [DONE] that must be ignored.
        var events = await _page.EvaluateAsync<string[]>("""
            async () => {
              const { readEvents } = await import('/js/api.js');
              const pieces = ['data: {"a"', ':1}\r\n', '\r\n: keep-alive\n\ndata: line one\ndata: line two\n\n', 'data: [DO', 'NE]\n\ndata: late\n\n'];
              const body = new ReadableStream({ start(c) { for (const p of pieces) c.enqueue(new TextEncoder().encode(p)); c.close(); } });
              const seen = [];
              await readEvents(body, d => seen.push(d));
              return seen;
            }
            """);
        Assert.Equal(["{\"a\":1}", "line one\nline two"], events);
    }

    [Fact]
    public async Task The_loss_curve_falls_as_the_seeded_loss_does()
    {
        _page = await browser.OpenAsync($"#/runs/{Seed.Run}", _scriptErrors);
        string points = await _page.Locator("figure[data-chart='loss'] polyline[data-series='loss']").GetAttributeAsync("points") ?? "";
        // SVG y grows downwards: a falling loss is a rising y, and the first step's loss is the chart's top.
        var ys = points.Split(' ').Select(p => double.Parse(p.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(SeededPlatform.TrainingSteps, ys.Count);
        Assert.Equal(ys.OrderBy(y => y), ys);
        Assert.True(ys[^1] - ys[0] > 100, $"the curve spans {ys[^1] - ys[0]} px of the plot");
    }

    [Fact]
    public async Task Lineage_leads_from_a_model_back_to_the_dataset_and_on_to_what_was_made_from_it()
    {
        _page = await browser.OpenAsync($"#/artifacts/{Seed.Model}", _scriptErrors);
        await Expect(_page.Locator("h1")).ToHaveTextAsync("model tiny-base");
        var graph = _page.Locator($"svg[data-lineage='{Seed.Model}']");
        // Ancestors (checkpoints, dataset, tokenizer) and the descendant (the fine-tuned chat model), all links.
        foreach (var id in new[] { Seed.Checkpoint20, Seed.Checkpoint10, Seed.DatasetArtifact, Seed.Tokenizer, Seed.ChatModel })
            await Expect(graph.Locator($"a[data-artifact='{id}']")).ToHaveCountAsync(1);

        // Columns follow the longest path: step 10 left of step 20 (continued into it), though both feed the model directly.
        var chain = new[] { Seed.DatasetArtifact, Seed.Checkpoint10, Seed.Checkpoint20, Seed.Model, Seed.ChatModel };
        var xs = new List<double>();
        foreach (var id in chain)
            xs.Add(double.Parse(await graph.Locator($"a[data-artifact='{id}'] rect").GetAttributeAsync("x") ?? "", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(xs.Order(), xs);
        Assert.Equal(xs.Count, xs.Distinct().Count());

        await graph.Locator($"a[data-artifact='{Seed.DatasetArtifact}']").ClickAsync();
        await Expect(_page.Locator("h1")).ToHaveTextAsync("dataset demo-corpus");
        Assert.EndsWith($"#/artifacts/{Seed.DatasetArtifact}", _page.Url);
        await Expect(_page.Locator($"svg[data-lineage='{Seed.DatasetArtifact}'] a[data-artifact='{Seed.ChatModel}']")).ToHaveCountAsync(1);

        await _page.Locator($"svg[data-lineage='{Seed.DatasetArtifact}'] a[data-artifact='{Seed.ChatModel}']").ClickAsync();
        await Expect(_page.Locator("h1")).ToHaveTextAsync("model tiny-chat");
    }

    [Fact]
    public async Task A_dataset_shows_its_shards_in_order()
    {
        _page = await browser.OpenAsync("#/datasets", _scriptErrors);
        await _page.GetByRole(AriaRole.Link, new() { Name = "demo-corpus" }).ClickAsync();
        await Expect(_page.Locator("h1")).ToHaveTextAsync("Dataset demo-corpus");
        var rows = _page.Locator("table tbody tr");
        await Expect(rows).ToHaveCountAsync(3);
        await Expect(rows.Nth(2)).ToContainTextAsync("validation");
        await Expect(rows.Nth(0).Locator("td").First).ToHaveTextAsync("0");
    }

    [Fact]
    public async Task Evaluations_compare_checkpoints_in_step_order_in_a_table_and_a_chart()
    {
        _page = await browser.OpenAsync("#/evals", _scriptErrors);
        var headers = _page.Locator("table thead th");
        await Expect(headers).ToHaveTextAsync(["Task", "Metric", "tiny-pretrain/step-10", "tiny-pretrain/step-20"]);
        await Expect(_page.Locator("table tbody tr", new() { HasText = "quiz" })).ToContainTextAsync("0.375 ± 0.05");
        var bars = _page.Locator("figure[data-chart='accuracy'] rect[data-group='quiz']");
        await Expect(bars).ToHaveCountAsync(2);
        // Taller bar for the better score: 0.375 against 0.25.
        double early = double.Parse(await bars.Nth(0).GetAttributeAsync("height") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
        double late = double.Parse(await bars.Nth(1).GetAttributeAsync("height") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(1.5, late / early, 3);
        // And each task's score over the checkpoints' steps.
        await Expect(_page.Locator("figure[data-chart='accuracy by checkpoint step'] polyline[data-series='quiz']")).ToHaveAttributeAsync("data-points", "2");
    }

    [Fact]
    public async Task Chat_streams_the_answer_of_the_serving_api_and_sends_the_conversation()
    {
        _page = await browser.OpenAsync("#/chat", _scriptErrors);
        // The model name comes from the serving API's /v1/models.
        await Expect(_page.GetByLabel("model", new() { Exact = true })).ToHaveValueAsync(FakeServingApi.ModelName);
        await _page.GetByLabel("message").FillAsync("Who are you?");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();

        var answer = _page.Locator(".message[data-role='assistant'] .content");
        await Expect(answer).ToHaveTextAsync(string.Concat(FakeServingApi.Answer));
        var request = browser.Serving.Requests.Last();
        Assert.True(request.GetProperty("stream").GetBoolean());
        Assert.Equal(FakeServingApi.ModelName, request.GetProperty("model").GetString());
        var message = System.Linq.Enumerable.Last(request.GetProperty("messages").EnumerateArray());
        Assert.Equal("user", message.GetProperty("role").GetString());
        Assert.Equal("Who are you?", message.GetProperty("content").GetString());
    }

    [Fact]
    public async Task Run_pipeline_submits_a_job_whose_page_follows_it_live_to_its_steps_and_report()
    {
        _page = await browser.OpenAsync("#/pipelines", _scriptErrors);
        await Expect(_page.Locator("[data-pipeline='status']")).ToContainTextAsync(browser.Pipeline.Address.ToString());
        await _page.GetByLabel("preset").SelectOptionAsync("tiny");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Run pipeline" }).ClickAsync();

        // The job's page, following the running job over its event stream: it waits at the stand-in's held step.
        await Expect(_page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("#/pipelines/[0-9a-f-]{36}$"));
        var id = Guid.Parse(_page.Url[^36..]);
        await Expect(_page.Locator("[data-pipeline='message']")).ToHaveTextAsync($"{StandInPipelineService.HoldStep}: running");
        await Expect(_page.Locator("h1 .status")).ToHaveTextAsync("Running");
        await Expect(_page.Locator("[data-pipeline='progress']")).ToHaveTextAsync("14%"); // step 2 of 7 started

        // Released, it ends without a reload: the state, its steps with the model they made, and the report.
        browser.Pipeline.Release(id);
        await Expect(_page.Locator("h1 .status")).ToHaveTextAsync("Succeeded");
        await Expect(_page.Locator("[data-pipeline='outcome'] table tbody tr")).ToHaveCountAsync(StandInPipelineService.Steps.Length);
        await Expect(_page.GetByRole(AriaRole.Link, new() { Name = "model", Exact = true })).ToHaveAttributeAsync("href", $"#/artifacts/{browser.Pipeline.ModelArtifact}");
        await Expect(_page.Locator("[data-pipeline='report']")).ToContainTextAsync(StandInPipelineService.ReportHeading);

        // The list shows it with its preset.
        await _page.GetByRole(AriaRole.Link, new() { Name = "Pipelines" }).ClickAsync();
        var row = _page.Locator("table tbody tr", new() { HasText = id.ToString()[..8] });
        await Expect(row).ToContainTextAsync("tiny");
        await Expect(row.Locator(".status")).ToHaveTextAsync("Succeeded");
    }
}
