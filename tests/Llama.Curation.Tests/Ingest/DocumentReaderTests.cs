using Llama.Curation.Documents;
using Llama.Curation.Ingest;

namespace Llama.Curation.Tests.Ingest;

public class DocumentReaderTests
{
    private static (List<CurationDocument> Documents, List<IngestSkip> Skips) ReadAll(string path, DocumentReaderOptions? options = null)
    {
        var skips = new List<IngestSkip>();
        var documents = new DocumentReader(options).Read(path, skips.Add).ToList();
        return (documents, skips);
    }

    [Fact]
    public void Folder_is_read_recursively_in_ordinal_order_with_top_level_folder_as_source()
    {
        using var folder = new TempFolder();
        folder.Write("python-docs/library/os.html", "<html><body><main><p>The os module.</p></main></body></html>");
        folder.Write("austen/b.txt", "Emma Woodhouse, handsome, clever, and rich.");
        folder.Write("austen/a/z.md", "# Persuasion");
        folder.Write("notes.rst", "Notes\n=====");

        var (documents, skips) = ReadAll(folder.Root);

        Assert.Empty(skips);
        Assert.Equal(["austen/a/z.md", "austen/b.txt", "notes/notes.rst", "python-docs/library/os.html"], documents.Select(d => d.Id));
        Assert.Equal(["austen", "austen", "notes", "python-docs"], documents.Select(d => d.Source));
        Assert.Equal("Emma Woodhouse, handsome, clever, and rich.", documents[1].Text);
        Assert.Equal("The os module.", documents[3].Text);
    }

    [Fact]
    public void Source_name_option_overrides_the_folder_name()
    {
        using var folder = new TempFolder();
        folder.Write("austen/emma.txt", "Emma.");

        var (documents, _) = ReadAll(folder.Root, new DocumentReaderOptions { SourceName = "books" });

        Assert.Equal("books/austen/emma.txt", Assert.Single(documents).Id);
        Assert.Equal("books", documents[0].Source);
    }

    [Fact]
    public void A_single_file_is_its_own_source_and_windows_line_ends_become_newlines()
    {
        using var folder = new TempFolder();
        var path = folder.Write("udhr.txt", "Article 1\r\nAll human beings are born free.\r\n");

        var document = Assert.Single(ReadAll(path).Documents);

        Assert.Equal(("udhr/udhr.txt", "udhr"), (document.Id, document.Source));
        Assert.Equal("Article 1\nAll human beings are born free.\n", document.Text);
    }

    [Fact]
    public void Jsonl_gives_one_document_per_line_with_optional_fields()
    {
        using var folder = new TempFolder();
        folder.Write("web/crawl.jsonl", """
            {"text": "First page.", "id": "p1", "url": "https://example.com/a", "timestamp": "2024-03-01T12:00:00Z", "lang": "en"}

            {"text": "Second page.", "source": "forum", "timestamp": "2024-03-02T08:30:00+02:00"}
            {"text": "Third page.", "id": 42, "url": null}
            """);

        var (documents, skips) = ReadAll(folder.Root);

        Assert.Empty(skips);
        Assert.Equal(3, documents.Count);
        var first = documents[0];
        Assert.Equal(("web/p1", "First page.", "web", "https://example.com/a", "en"), (first.Id, first.Text, first.Source, first.Url, first.Language));
        Assert.Equal(new DateTime(2024, 3, 1, 12, 0, 0, DateTimeKind.Utc), first.Timestamp);
        Assert.Equal(DateTimeKind.Utc, first.Timestamp!.Value.Kind);
        Assert.Equal(("web/crawl.jsonl:3", "forum"), (documents[1].Id, documents[1].Source)); // blank line 2 is no record
        Assert.Equal(new DateTime(2024, 3, 2, 6, 30, 0, DateTimeKind.Utc), documents[1].Timestamp);
        Assert.Equal("web/42", documents[2].Id);
        Assert.Null(documents[2].Url);
    }

    [Fact]
    public void Malformed_jsonl_lines_are_skipped_with_file_and_line_and_the_rest_is_read()
    {
        using var folder = new TempFolder();
        var path = folder.Write("web/crawl.jsonl", """
            {"text": "good one"}
            {"text": "broken
            {"id": "no-text"}
            ["not", "an", "object"]
            {"text": "bad date", "timestamp": "yesterday"}
            {"text": "   "}
            {"text": "good two"}
            """);

        var (documents, skips) = ReadAll(folder.Root);

        Assert.Equal(["good one", "good two"], documents.Select(d => d.Text));
        Assert.Equal(
            [
                ($"{path}:2", IngestSkipReasons.BadRecord), ($"{path}:3", IngestSkipReasons.BadRecord),
                ($"{path}:4", IngestSkipReasons.BadRecord), ($"{path}:5", IngestSkipReasons.BadRecord),
                ($"{path}:6", IngestSkipReasons.Empty),
            ],
            skips.Select(s => (s.Path, s.Reason)));
        Assert.Contains("'text'", skips[1].Detail);
        Assert.Contains("yesterday", skips[3].Detail);
    }

    [Fact]
    public void Gzipped_text_and_jsonl_are_read()
    {
        using var folder = new TempFolder();
        folder.WriteGzip("books/emma.txt.gz", "Emma Woodhouse.");
        folder.WriteGzip("web/crawl.jsonl.gz", "{\"text\": \"one\"}\n{\"text\": \"two\"}\n");

        var (documents, skips) = ReadAll(folder.Root);

        Assert.Empty(skips);
        Assert.Equal(["books/emma.txt.gz", "web/crawl.jsonl.gz:1", "web/crawl.jsonl.gz:2"], documents.Select(d => d.Id));
        Assert.Equal(["Emma Woodhouse.", "one", "two"], documents.Select(d => d.Text));
    }

    [Fact]
    public void Invalid_utf8_is_skipped_not_repaired()
    {
        using var folder = new TempFolder();
        var latin1 = folder.WriteBytes("books/latin1.txt", [(byte)'c', (byte)'a', (byte)'f', 0xE9, (byte)'!']); // "café!" in Latin-1
        folder.WriteBytes("web/crawl.jsonl", [.. "{\"text\": \"ok\"}\n{\"text\": \"caf"u8, 0xE9, .. "\"}\n"u8]);
        folder.Write("books/utf8.txt", "\uFEFFcafé"); // a byte order mark is not part of the text

        var (documents, skips) = ReadAll(folder.Root);

        Assert.Equal(["café", "ok"], documents.Select(d => d.Text));
        Assert.Equal([IngestSkipReasons.InvalidUtf8, IngestSkipReasons.InvalidUtf8], skips.Select(s => s.Reason));
        Assert.Equal(latin1, skips[0].Path);
        Assert.Contains("byte 3", skips[0].Detail);
        Assert.EndsWith("crawl.jsonl:2", skips[1].Path);
    }

    [Fact]
    public void Empty_and_whitespace_only_files_are_skipped_as_empty()
    {
        using var folder = new TempFolder();
        folder.Write("a/empty.txt", "");
        folder.Write("a/blank.md", " \n\t\n");
        folder.Write("a/nav-only.html", "<html><body><nav>Home</nav></body></html>");

        var (documents, skips) = ReadAll(folder.Root);

        Assert.Empty(documents);
        Assert.Equal(3, skips.Count);
        Assert.All(skips, s => Assert.Equal(IngestSkipReasons.Empty, s.Reason));
    }

    [Fact]
    public void Unknown_extensions_are_skipped_as_unsupported()
    {
        using var folder = new TempFolder();
        folder.Write("a/data.csv", "x,y");
        folder.Write("a/page.html.gz", "not really gzip");
        folder.Write("a/ok.txt", "fine");

        var (documents, skips) = ReadAll(folder.Root);

        Assert.Equal("fine", Assert.Single(documents).Text);
        Assert.Equal([IngestSkipReasons.UnsupportedFormat, IngestSkipReasons.UnsupportedFormat], skips.Select(s => s.Reason));
    }

    [Fact]
    public void Corrupt_gzip_is_skipped_as_unreadable_and_reading_goes_on()
    {
        using var folder = new TempFolder();
        // A valid gzip header, then a deflate block of the reserved type 3.
        folder.WriteBytes("a/broken.txt.gz", [0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xFF, 0xFF, 0xFF, 0xFF]);
        folder.Write("b/ok.txt", "fine");

        var (documents, skips) = ReadAll(folder.Root);

        Assert.Equal("fine", Assert.Single(documents).Text);
        Assert.Equal(IngestSkipReasons.Unreadable, Assert.Single(skips).Reason);
    }

    [Fact]
    public void Missing_input_path_says_which()
    {
        var error = Assert.Throws<DirectoryNotFoundException>(() => new DocumentReader().Read("/no/such/corpus").ToList());
        Assert.Contains("/no/such/corpus", error.Message);
    }
}
