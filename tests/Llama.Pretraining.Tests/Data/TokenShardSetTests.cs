using Llama.Pretraining.Data;
using Parquet;
using Parquet.Schema;
using static Llama.Pretraining.Tests.Data.TokenShardFolder;

namespace Llama.Pretraining.Tests.Data;

public class TokenShardSetTests
{
    [Fact]
    public void Opens_the_curated_folder_or_its_tokens_folder_with_documents_by_domain()
    {
        using var folder = new TokenShardFolder();
        folder.WriteShard(0, Document("a", "general", 5, 6), Document("b", "code", 7));
        folder.WriteShard(1, Document("c", "general", 8, 9, 10));
        Directory.CreateDirectory(Path.Combine(folder.Root, "tokenizer"));

        foreach (var path in new[] { folder.Root, folder.TokensDirectory })
        {
            var set = TokenShardSet.Open(path);
            Assert.Equal([folder.ShardPath(0), folder.ShardPath(1)], set.Shards);
            Assert.Equal(["a", "b", "c"], set.Documents.Select(d => d.Id));
            Assert.Equal(["code", "general"], set.DocumentsByDomain.Keys);
            Assert.Equal(["a", "c"], set.DocumentsByDomain["general"].Select(d => d.Id));
            Assert.Equal(new[] { Bos, 8, 9, 10, Eos }, set.Documents[2].Tokens);
            Assert.Equal((folder.ShardPath(1), 0), (set.Documents[2].Shard, set.Documents[2].Row));
            Assert.Equal(4 + 3 + 5, set.TotalTokens);
            Assert.Equal(Path.Combine(folder.Root, "tokenizer"), set.TokenizerDirectory);
        }
    }

    [Fact]
    public void A_missing_folder_is_an_error_naming_it()
    {
        using var folder = new TokenShardFolder();
        var missing = Path.Combine(folder.Root, "nowhere");
        var error = Assert.Throws<TokenShardException>(() => TokenShardSet.Open(missing));
        Assert.Equal(missing, error.Path);
        Assert.Contains(missing, error.Message);
    }

    [Fact]
    public void A_folder_without_shards_is_an_error_naming_it()
    {
        using var folder = new TokenShardFolder();
        Directory.CreateDirectory(folder.TokensDirectory);
        File.WriteAllText(Path.Combine(folder.TokensDirectory, "notes.txt"), "not a shard");
        var error = Assert.Throws<TokenShardException>(() => folder.Open());
        Assert.Contains(folder.TokensDirectory, error.Message);
        Assert.Contains("no token shards", error.Message);
    }

    [Fact]
    public void A_corrupt_shard_is_an_error_naming_the_file()
    {
        using var folder = new TokenShardFolder();
        folder.WriteShard(0, Document("a", "general", 5));
        var corrupt = folder.ShardPath(1);
        File.WriteAllBytes(corrupt, "PAR1 this is not parquet at all"u8.ToArray());
        var error = Assert.Throws<TokenShardException>(() => folder.Open());
        Assert.Equal(corrupt, error.Path);
        Assert.StartsWith(corrupt, error.Message);
    }

    [Fact]
    public async Task A_shard_without_the_tokens_column_is_an_error_naming_file_and_column()
    {
        using var folder = new TokenShardFolder();
        Directory.CreateDirectory(folder.TokensDirectory);
        var id = new DataField<string>("id");
        var domain = new DataField<string>("domain");
        await using (var stream = File.Create(folder.ShardPath(0)))
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(id, domain), stream))
        {
            using var rowGroup = writer.CreateRowGroup();
            await rowGroup.WriteAsync(id, new[] { "a" });
            await rowGroup.WriteAsync(domain, new[] { "general" });
        }
        var error = Assert.Throws<TokenShardException>(() => folder.Open());
        Assert.Equal(folder.ShardPath(0), error.Path);
        Assert.Contains("'tokens'", error.Message);
    }

    [Fact]
    public void Ids_beyond_the_vocabulary_name_the_file_and_document()
    {
        using var folder = new TokenShardFolder();
        folder.WriteShard(0, Document("fine", "general", 5, 6));
        folder.WriteShard(1, Document("also-fine", "code", 7), Document("from-a-bigger-vocab", "code", 8, 300, 9));
        var set = folder.Open();

        set.ValidateVocabulary(vocabSize: 301, bosId: Bos, eosId: Eos);
        var error = Assert.Throws<TokenShardException>(() => set.ValidateVocabulary(vocabSize: 256, bosId: Bos, eosId: Eos));
        Assert.Equal((folder.ShardPath(1), "from-a-bigger-vocab", 1), (error.Path, error.DocumentId, error.Row));
        Assert.Contains(folder.ShardPath(1), error.Message);
        Assert.Contains("from-a-bigger-vocab", error.Message);
        Assert.Contains("300", error.Message);
    }

    [Fact]
    public void Documents_not_framed_by_the_models_special_tokens_name_the_file_and_document()
    {
        using var folder = new TokenShardFolder();
        folder.WriteShard(0, Document("a", "general", 5, 6), new ShardDocument("no-eos", "general", [Bos, 5, 6]));
        var set = folder.Open();

        set.ValidateVocabulary(vocabSize: 16, bosId: null, eosId: null);
        var wrongBos = Assert.Throws<TokenShardException>(() => set.ValidateVocabulary(16, bosId: 2, eosId: null));
        Assert.Equal("a", wrongBos.DocumentId);
        Assert.Contains("begin_of_text", wrongBos.Message);
        var missingEos = Assert.Throws<TokenShardException>(() => set.ValidateVocabulary(16, Bos, Eos));
        Assert.Equal("no-eos", missingEos.DocumentId);
        Assert.Contains(folder.ShardPath(0), missingEos.Message);
        Assert.Contains("end_of_text", missingEos.Message);
    }
}
