using System.IO.Compression;
using System.Text;
using Llama.Curation.Documents;
using Llama.Curation.Ingest;

namespace Llama.Curation.Tests.Ingest;

/// <summary>A single 50 MB document must be skipped as too large without being read into memory whole.</summary>
public class OversizedDocumentTests
{
    private const int FiftyMegabytes = 50 * 1024 * 1024;
    private const long Cap = 1024 * 1024;
    // Reading 50 MB would allocate at least 50 MB (100 MB as UTF-16); capped reading stays near the 1 MB cap.
    private const long AllocationBudget = 8 * 1024 * 1024;

    private static (List<CurationDocument> Documents, List<IngestSkip> Skips, long Allocated) ReadMeasured(string path)
    {
        var skips = new List<IngestSkip>();
        var reader = new DocumentReader(new DocumentReaderOptions { MaxDocumentBytes = Cap });
        var before = GC.GetAllocatedBytesForCurrentThread();
        var documents = reader.Read(path, skips.Add).ToList();
        return (documents, skips, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static void WriteRepeated(Stream stream, string prefix, string suffix)
    {
        stream.Write(Encoding.UTF8.GetBytes(prefix));
        var block = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("all work and no play ", 1000)));
        for (var written = 0; written < FiftyMegabytes; written += block.Length) stream.Write(block);
        stream.Write(Encoding.UTF8.GetBytes(suffix));
    }

    [Fact]
    public void Default_limit_is_10_megabytes() => Assert.Equal(10 * 1024 * 1024, new DocumentReaderOptions().MaxDocumentBytes);

    [Fact]
    public void Huge_text_file_is_skipped_from_its_size()
    {
        using var folder = new TempFolder();
        using (var file = File.Create(folder.PathOf("huge.txt"))) WriteRepeated(file, "", "");
        folder.Write("small.txt", "small");

        var (documents, skips, allocated) = ReadMeasured(folder.Root);

        Assert.Equal("small", Assert.Single(documents).Text);
        Assert.Equal(IngestSkipReasons.TooLarge, Assert.Single(skips).Reason);
        Assert.InRange(allocated, 0, AllocationBudget);
    }

    [Fact]
    public void Huge_gzipped_text_is_skipped_after_inflating_only_up_to_the_limit()
    {
        using var folder = new TempFolder();
        using (var file = File.Create(folder.PathOf("huge.txt.gz")))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
            WriteRepeated(gzip, "", "");

        var (documents, skips, allocated) = ReadMeasured(folder.Root);

        Assert.Empty(documents);
        Assert.Equal(IngestSkipReasons.TooLarge, Assert.Single(skips).Reason);
        Assert.InRange(allocated, 0, AllocationBudget);
    }

    [Fact]
    public void Huge_jsonl_record_is_skipped_and_the_next_line_read()
    {
        using var folder = new TempFolder();
        using (var file = File.Create(folder.PathOf("crawl.jsonl")))
        {
            WriteRepeated(file, "{\"text\": \"", "\"}\n");
            file.Write("{\"text\": \"after\"}\n"u8);
        }

        var (documents, skips, allocated) = ReadMeasured(folder.Root);

        Assert.Equal("after", Assert.Single(documents).Text);
        var skip = Assert.Single(skips);
        Assert.Equal((IngestSkipReasons.TooLarge, folder.PathOf("crawl.jsonl") + ":1"), (skip.Reason, skip.Path));
        Assert.InRange(allocated, 0, AllocationBudget);
    }
}
