using static Llama.Curation.Tests.Filters.SampleDocuments;
using Llama.Curation.Filters;
using Llama.Curation.Pii;
using Llama.Curation.Stages;

namespace Llama.Curation.Tests.Filters;

public class AllFiltersTests
{
    private static IDocumentStage[] Stages() =>
    [
        new GopherQualityFilter(),
        new GopherRepetitionFilter(),
        new C4Filter(),
        new FineWebFilter(),
        new DirtyWordFilter(new DirtyWordFilterOptions { ListsDirectory = ShippedListsFolder() }),
        new PiiRedactor(),
    ];

    [Fact]
    public void English_prose_passes_every_filter_with_default_thresholds()
    {
        var document = Doc(EnglishProse, "en");
        foreach (var stage in Stages())
            document = Assert.IsType<StageVerdict.Keep>(stage.Process(document)).Document;
        Assert.Contains("careful notes of ordinary people", document.Text);
    }

    [Fact]
    public void Each_stage_has_its_own_name() =>
        Assert.Equal(Stages().Length, Stages().Select(s => s.Name).Distinct().Count());
}
