using System.IO.Compression;
using System.Runtime.CompilerServices;
using Llama.Curation.Documents;

namespace Llama.Curation.Ingest;

/// <summary>
/// Streams <see cref="CurationDocument"/>s from a file or a folder (recursively, in ordinal order of relative paths):
/// <c>.txt</c>/<c>.md</c>/<c>.rst</c> and <c>.html</c>/<c>.htm</c> give one document per file, <c>.jsonl</c> one per
/// line, <c>.parquet</c> one per row; <c>.txt.gz</c>, <c>.md.gz</c>, <c>.rst.gz</c> and <c>.jsonl.gz</c> are read
/// through gzip. Memory stays bounded: one document (at most <see cref="DocumentReaderOptions.MaxDocumentBytes"/>)
/// or one Parquet row group at a time. Bad input never throws: each unusable file or record is reported as an
/// <see cref="IngestSkip"/> and reading goes on. Only a missing input path throws.
/// </summary>
/// <remarks>
/// Ids: <c>source/path-in-source</c> for whole files (<c>python-docs/library/os.html</c>); for records,
/// <c>source/id</c> when the record has an id, else <c>source/path:line</c> (JSONL) or <c>source/path#row</c>
/// (Parquet, rows counted from 0).
/// </remarks>
public sealed class DocumentReader
{
    private readonly DocumentReaderOptions _options;
    private readonly HtmlTextExtractor _html;

    public DocumentReader(DocumentReaderOptions? options = null)
    {
        _options = options ?? new DocumentReaderOptions();
        if (_options.MaxDocumentBytes <= 0)
            throw new ArgumentOutOfRangeException(nameof(options),
                $"MaxDocumentBytes ({_options.MaxDocumentBytes}) must be positive");
        _html = new HtmlTextExtractor(_options.Html);
    }

    /// <summary>The documents under <paramref name="inputPath"/>, synchronously (Parquet is read blocking).</summary>
    public IEnumerable<CurationDocument> Read(string inputPath, Action<IngestSkip>? onSkip = null) =>
        ReadAsync(inputPath, onSkip).ToBlockingEnumerable();

    /// <summary>The documents under <paramref name="inputPath"/>; skipped inputs go to <paramref name="onSkip"/>.</summary>
    /// <exception cref="DirectoryNotFoundException"><paramref name="inputPath"/> is neither a file nor a folder.</exception>
    public async IAsyncEnumerable<CurationDocument> ReadAsync(
        string inputPath, Action<IngestSkip>? onSkip = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var skip = onSkip ?? (_ => { });
        foreach (var file in InputFileWalker.List(inputPath, _options.SourceName))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var documents = file.Format switch
            {
                InputFormat.PlainText or InputFormat.Html => WholeFile(file, skip),
                InputFormat.JsonLines => JsonLines(file, skip),
                InputFormat.Parquet => ParquetDocumentSource.ReadAsync(file, _options.MaxDocumentBytes, skip, cancellationToken),
                _ => Unsupported(file, skip),
            };
            // A file that fails half way (permissions, truncated gzip, corrupt Parquet) keeps what it gave so far.
            await using var enumerator = documents.GetAsyncEnumerator(cancellationToken);
            while (true)
            {
                bool more;
                try
                {
                    more = await enumerator.MoveNextAsync();
                }
                catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
                {
                    skip(new IngestSkip(file.FullPath, IngestSkipReasons.Unreadable, $"{e.GetType().Name}: {e.Message}"));
                    break;
                }
                if (!more) break;
                yield return enumerator.Current;
            }
        }
    }

    private static async IAsyncEnumerable<CurationDocument> Unsupported(InputFile file, Action<IngestSkip> skip)
    {
        skip(new IngestSkip(file.FullPath, IngestSkipReasons.UnsupportedFormat, Path.GetFileName(file.FullPath)));
        await Task.CompletedTask;
        yield break;
    }

    private async IAsyncEnumerable<CurationDocument> WholeFile(InputFile file, Action<IngestSkip> skip)
    {
        await Task.CompletedTask;
        // The size check comes before opening, so a 50 MB file costs nothing; gzip is capped while inflating.
        if (!file.Gzipped && new FileInfo(file.FullPath).Length > _options.MaxDocumentBytes)
        {
            skip(TooLarge(file.FullPath));
            yield break;
        }
        byte[]? bytes;
        using (var stream = Open(file))
            bytes = StrictUtf8.ReadAtMost(stream, _options.MaxDocumentBytes);
        if (bytes is null)
        {
            skip(TooLarge(file.FullPath));
            yield break;
        }
        var text = StrictUtf8.TryDecode(bytes, out var invalidAt);
        if (text is null)
        {
            skip(new IngestSkip(file.FullPath, IngestSkipReasons.InvalidUtf8, $"invalid UTF-8 at byte {invalidAt}"));
            yield break;
        }
        if (file.Format == InputFormat.Html) text = _html.Extract(text).Text;
        text = StrictUtf8.NormalizeLineEnds(text);
        if (string.IsNullOrWhiteSpace(text))
        {
            skip(new IngestSkip(file.FullPath, IngestSkipReasons.Empty));
            yield break;
        }
        yield return new CurationDocument(file.IdPath, text, file.Source);
    }

    private async IAsyncEnumerable<CurationDocument> JsonLines(InputFile file, Action<IngestSkip> skip)
    {
        await Task.CompletedTask;
        using var stream = Open(file);
        var lines = new BoundedLineReader(stream, _options.MaxDocumentBytes);
        while (lines.ReadLine(out var line, out var tooLong))
        {
            var where = $"{file.FullPath}:{lines.LineNumber}";
            if (tooLong)
            {
                skip(TooLarge(where));
                continue;
            }
            if (line.Span.Trim(" \t"u8).IsEmpty) continue; // blank lines separate nothing in JSONL
            if (StrictUtf8.TryDecode(line.Span, out var invalidAt) is null)
            {
                skip(new IngestSkip(where, IngestSkipReasons.InvalidUtf8, $"invalid UTF-8 at byte {invalidAt} of the line"));
                continue;
            }
            var document = JsonLinesRecord.TryParse(line, file, lines.LineNumber, out var problem);
            if (document is null)
            {
                skip(new IngestSkip(where, IngestSkipReasons.BadRecord, problem));
                continue;
            }
            if (string.IsNullOrWhiteSpace(document.Text))
            {
                skip(new IngestSkip(where, IngestSkipReasons.Empty));
                continue;
            }
            yield return document;
        }
    }

    private static Stream Open(InputFile file)
    {
        var stream = File.OpenRead(file.FullPath);
        return file.Gzipped ? new GZipStream(stream, CompressionMode.Decompress) : stream;
    }

    private IngestSkip TooLarge(string where) =>
        new(where, IngestSkipReasons.TooLarge, $"over {_options.MaxDocumentBytes} bytes");
}
