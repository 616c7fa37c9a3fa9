using System.Runtime.CompilerServices;
using Llama.Curation.Documents;
using Parquet;
using Parquet.Schema;

namespace Llama.Curation.Ingest;

/// <summary>
/// Documents from a Parquet file: column <c>text</c> (string, required), optional string columns <c>id</c>,
/// <c>url</c>, <c>source</c>, <c>lang</c> and <c>timestamp</c> (an ISO 8601 string or a Parquet timestamp).
/// Reads one row group at a time, so memory is bounded by the largest row group, not the file.
/// </summary>
internal static class ParquetDocumentSource
{
    public static async IAsyncEnumerable<CurationDocument> ReadAsync(
        InputFile file, long maxDocumentBytes, Action<IngestSkip> skip,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(file.FullPath);
        await using var reader = await ParquetReader.CreateAsync(stream, cancellationToken: cancellationToken);
        var fields = reader.Schema.GetDataFields();
        var textField = StringField(fields, "text");
        if (textField is null)
        {
            skip(new IngestSkip(file.FullPath, IngestSkipReasons.BadRecord, "no string column 'text'"));
            yield break;
        }
        var idField = StringField(fields, "id");
        var urlField = StringField(fields, "url");
        var sourceField = StringField(fields, "source");
        var langField = StringField(fields, "lang");
        var timestampField = fields.FirstOrDefault(f => f.Name == "timestamp" && !f.IsArray);

        long rowBase = 0;
        for (var group = 0; group < reader.RowGroupCount; group++)
        {
            using var rowGroup = reader.OpenRowGroupReader(group);
            var rows = checked((int)rowGroup.RowCount);
            var texts = await ReadStrings(rowGroup, textField, rows, cancellationToken);
            var ids = await ReadStrings(rowGroup, idField, rows, cancellationToken);
            var urls = await ReadStrings(rowGroup, urlField, rows, cancellationToken);
            var sources = await ReadStrings(rowGroup, sourceField, rows, cancellationToken);
            var langs = await ReadStrings(rowGroup, langField, rows, cancellationToken);
            var timestamps = await ReadTimestamps(rowGroup, timestampField, rows, cancellationToken);

            for (var row = 0; row < rows; row++)
            {
                var rowNumber = rowBase + row;
                var where = $"{file.FullPath}#{rowNumber}";
                var text = texts![row];
                if (text is null)
                {
                    skip(new IngestSkip(where, IngestSkipReasons.BadRecord, "'text' is null"));
                    continue;
                }
                // A string's UTF-8 size is at least its length: check the cheap bound before counting bytes.
                if (text.Length > maxDocumentBytes || System.Text.Encoding.UTF8.GetByteCount(text) > maxDocumentBytes)
                {
                    skip(new IngestSkip(where, IngestSkipReasons.TooLarge, $"over {maxDocumentBytes} bytes"));
                    continue;
                }
                if (string.IsNullOrWhiteSpace(text))
                {
                    skip(new IngestSkip(where, IngestSkipReasons.Empty));
                    continue;
                }
                var timestamp = timestamps?[row];
                if (timestamp is { Problem: { } problem })
                {
                    skip(new IngestSkip(where, IngestSkipReasons.BadRecord, problem));
                    continue;
                }
                var source = sources?[row] ?? file.Source;
                yield return new CurationDocument(
                    ids?[row] is { } id ? $"{source}/{id}" : $"{file.IdPath}#{rowNumber}",
                    StrictUtf8.NormalizeLineEnds(text), source)
                {
                    Url = urls?[row],
                    Timestamp = timestamp?.Value,
                    Language = langs?[row],
                };
            }
            rowBase += rows;
        }
    }

    private static DataField? StringField(DataField[] fields, string name) =>
        fields.FirstOrDefault(f => f.Name == name && !f.IsArray && IsString(f));

    // Parquet.Net 6 describes UTF-8 columns it reads back as ReadOnlyMemory<char>; ones built in code say string.
    private static bool IsString(DataField field) =>
        field.ClrType == typeof(string) || field.ClrType == typeof(ReadOnlyMemory<char>);

    private static async Task<string?[]?> ReadStrings(
        ParquetRowGroupReader rowGroup, DataField? field, int rows, CancellationToken cancellationToken)
    {
        if (field is null) return null;
        var values = new string?[rows];
        await rowGroup.ReadAsync(field, values.AsMemory(), null, cancellationToken);
        return values;
    }

    private readonly record struct ParsedTimestamp(DateTime? Value, string? Problem);

    private static async Task<ParsedTimestamp[]?> ReadTimestamps(
        ParquetRowGroupReader rowGroup, DataField? field, int rows, CancellationToken cancellationToken)
    {
        if (field is null) return null;
        var parsed = new ParsedTimestamp[rows];
        if (IsString(field))
        {
            var texts = await ReadStrings(rowGroup, field, rows, cancellationToken);
            for (var i = 0; i < rows; i++)
            {
                if (texts![i] is not { } text) continue;
                parsed[i] = IsoTimestamp.TryParse(text, out var value)
                    ? new ParsedTimestamp(value, null)
                    : new ParsedTimestamp(null, $"'timestamp' is not an ISO 8601 date: '{text}'");
            }
        }
        else if (field.ClrType == typeof(DateTime))
        {
            var values = new DateTime?[rows];
            await rowGroup.ReadAsync(field, values.AsMemory(), null, cancellationToken);
            for (var i = 0; i < rows; i++)
                parsed[i] = new ParsedTimestamp(values[i] is { } v ? DateTime.SpecifyKind(v, DateTimeKind.Utc) : null, null);
        }
        else
        {
            return null; // another type (an integer epoch?) is not guessed at
        }
        return parsed;
    }
}
