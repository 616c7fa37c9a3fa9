using Llama.Curation.Pii;
using Llama.Curation.Pipeline;

namespace Llama.Curation.Tests.Pipeline;

public class CurationConfigJsonTests
{
    [Fact]
    public void The_printed_default_config_reads_back_as_a_config_file()
    {
        // `llama curate print-config > c.json; llama curate --config c.json` must work, and the service reads job bodies the same way.
        var read = CurationConfig.Parse(new CurationConfig().ToJson());
        Assert.Equal(Enum.GetValues<PiiKind>(), read.Pii.Kinds);
        Assert.Equal(new CurationConfig().ToJson(), read.ToJson());
    }

    [Fact]
    public void A_config_may_redact_only_some_kinds_of_pii()
    {
        var read = CurationConfig.Parse("""{ "pii": { "kinds": ["Email"] } }""");
        Assert.Equal([PiiKind.Email], read.Pii.Kinds);
    }
}
