using System.Globalization;

namespace Llama.Curation.Ingest;

/// <summary>ISO 8601 timestamps of JSONL and Parquet records, as UTC (no offset means UTC, as in Common Crawl dumps).</summary>
internal static class IsoTimestamp
{
    public static bool TryParse(string text, out DateTime utc)
    {
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            utc = parsed.UtcDateTime;
            return true;
        }
        utc = default;
        return false;
    }
}
