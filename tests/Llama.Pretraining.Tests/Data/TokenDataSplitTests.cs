using Llama.Pretraining.Data;

namespace Llama.Pretraining.Tests.Data;

public class TokenDataSplitTests
{
    private static TokenDocument[] Documents(int count, string prefix = "doc") =>
        Enumerable.Range(0, count).Select(i => new TokenDocument($"{prefix}-{i}", "general", "test", "en", "part-00000.parquet", i, [0, 2 + i % 7, 1])).ToArray();

    [Fact]
    public void Validation_is_disjoint_from_training_and_holds_about_the_fraction()
    {
        var documents = Documents(4000);
        var split = TokenDataSplit.ByDocumentIdHash(documents, new ValidationSplitOptions(Fraction: 0.05));
        var training = split.Training.Select(d => d.Id).ToHashSet();
        Assert.DoesNotContain(split.Validation, d => training.Contains(d.Id));
        Assert.Equal(documents.Length, split.Training.Count + split.Validation.Count);
        Assert.InRange(split.Validation.Count, 150, 250); // 200 expected; binomial sd ~14
    }

    [Fact]
    public void A_documents_side_depends_on_its_id_alone_and_is_stable()
    {
        var documents = Documents(2000);
        var options = new ValidationSplitOptions(Fraction: 0.1);
        var first = TokenDataSplit.ByDocumentIdHash(documents, options);
        var again = TokenDataSplit.ByDocumentIdHash(documents.Reverse().ToArray(), options);
        var grown = TokenDataSplit.ByDocumentIdHash([.. documents, .. Documents(500, "new")], options);

        var held = first.Validation.Select(d => d.Id).Order().ToArray();
        Assert.Equal(held, again.Validation.Select(d => d.Id).Order());
        Assert.Equal(held, grown.Validation.Select(d => d.Id).Where(id => id.StartsWith("doc-")).Order());
    }

    [Fact]
    public void A_tiny_corpus_still_holds_out_the_minimum()
    {
        var split = TokenDataSplit.ByDocumentIdHash(Documents(5), new ValidationSplitOptions(Fraction: 0.0, MinimumDocuments: 2));
        Assert.Equal(2, split.Validation.Count);
        Assert.Equal(3, split.Training.Count);
        Assert.Equal(split.Validation.Select(d => d.Id), TokenDataSplit.ByDocumentIdHash(Documents(5), new ValidationSplitOptions(0.0, 2)).Validation.Select(d => d.Id));
    }

    [Fact]
    public void Holding_out_every_document_is_refused()
    {
        Assert.Throws<ArgumentException>(() => TokenDataSplit.ByDocumentIdHash(Documents(1), new ValidationSplitOptions()));
    }
}
