using Llama.Curation.Documents;
using Llama.Curation.Ingest;
using Parquet;
using Parquet.Schema;

namespace Llama.Curation.Tests.Ingest;

public class ParquetIngestTests
{
    private static readonly DataField<string> Text = new("text");
    private static readonly DataField<string> Id = new("id");
    private static readonly DataField<string> Url = new("url");
    private static readonly DataField<string> Timestamp = new("timestamp");

    private static async Task WriteAsync(string path, ParquetSchema schema, params (DataField Field, string?[] Values)[][] rowGroups)
    {
        await using var stream = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(schema, stream);
        foreach (var columns in rowGroups)
        {
            using var rowGroup = writer.CreateRowGroup();
            foreach (var (field, values) in columns) await rowGroup.WriteAsync(field, values);
        }
    }

    private static async Task<(List<CurationDocument>, List<IngestSkip>)> ReadAllAsync(string path)
    {
        var skips = new List<IngestSkip>();
        var documents = new List<CurationDocument>();
        await foreach (var document in new DocumentReader().ReadAsync(path, skips.Add)) documents.Add(document);
        return (documents, skips);
    }

    [Fact]
    public async Task Rows_of_every_row_group_become_documents_with_optional_columns()
    {
        using var folder = new TempFolder();
        var path = folder.PathOf("crawl.parquet");
        await WriteAsync(path, new ParquetSchema(Text, Id, Url, Timestamp),
            [(Text, ["one", "two"]), (Id, ["a", null]), (Url, ["https://x.org/1", null]), (Timestamp, ["2024-01-02T03:04:05Z", null])],
            [(Text, ["three"]), (Id, [null]), (Url, [null]), (Timestamp, [null])]);

        var (documents, skips) = await ReadAllAsync(path);

        Assert.Empty(skips);
        Assert.Equal(["crawl/a", "crawl/crawl.parquet#1", "crawl/crawl.parquet#2"], documents.Select(d => d.Id));
        Assert.Equal(["one", "two", "three"], documents.Select(d => d.Text));
        Assert.Equal("https://x.org/1", documents[0].Url);
        Assert.Equal(new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc), documents[0].Timestamp);
        Assert.Null(documents[1].Timestamp);
    }

    [Fact]
    public async Task Null_empty_and_badly_dated_rows_are_skipped_with_their_row()
    {
        using var folder = new TempFolder();
        var path = folder.PathOf("crawl.parquet");
        await WriteAsync(path, new ParquetSchema(Text, Timestamp),
            [(Text, ["kept", null, " ", "dated"]), (Timestamp, [null, null, null, "not a date"])]);

        var (documents, skips) = await ReadAllAsync(path);

        Assert.Equal("kept", Assert.Single(documents).Text);
        Assert.Equal(
            [($"{path}#1", IngestSkipReasons.BadRecord), ($"{path}#2", IngestSkipReasons.Empty), ($"{path}#3", IngestSkipReasons.BadRecord)],
            skips.Select(s => (s.Path, s.Reason)));
    }

    [Fact]
    public async Task Parquet_timestamp_columns_are_read_as_utc()
    {
        using var folder = new TempFolder();
        var path = folder.PathOf("crawl.parquet");
        var stamp = new DataField<DateTime?>("timestamp");
        await using (var stream = File.Create(path))
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(Text, stamp), stream))
        using (var rowGroup = writer.CreateRowGroup())
        {
            await rowGroup.WriteAsync(Text, ["dated", "undated"]);
            await rowGroup.WriteAsync<DateTime>(stamp, new DateTime?[] { new DateTime(2023, 7, 8, 9, 10, 11, DateTimeKind.Utc), null });
        }

        var (documents, skips) = await ReadAllAsync(path);

        Assert.Empty(skips);
        Assert.Equal(new DateTime(2023, 7, 8, 9, 10, 11, DateTimeKind.Utc), documents[0].Timestamp);
        Assert.Null(documents[1].Timestamp);
    }

    [Fact]
    public async Task File_without_a_text_column_is_a_bad_record()
    {
        using var folder = new TempFolder();
        var path = folder.PathOf("crawl.parquet");
        var body = new DataField<string>("body");
        await WriteAsync(path, new ParquetSchema(body), [(body, ["x"])]);

        var (documents, skips) = await ReadAllAsync(path);

        Assert.Empty(documents);
        Assert.Equal(IngestSkipReasons.BadRecord, Assert.Single(skips).Reason);
    }

    [Fact]
    public async Task Corrupt_parquet_is_unreadable_not_a_crash()
    {
        using var folder = new TempFolder();
        folder.Write("a/crawl.parquet", "PAR1 this is not parquet PAR1");
        folder.Write("b/ok.txt", "fine");

        var (documents, skips) = await ReadAllAsync(folder.Root);

        Assert.Equal("fine", Assert.Single(documents).Text);
        Assert.Equal(IngestSkipReasons.Unreadable, Assert.Single(skips).Reason);
    }
}
