using System.Text.Json;

namespace Llama.Platform.Metadata;

/// <summary>
/// The checks every writer runs before it touches the database. Both providers must accept and reject the
/// same values, and SQLite enforces neither column lengths nor finite doubles, so the rules live here.
/// </summary>
internal static class MetadataValidation
{
    public static string NonEmpty(string? value, string field, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value)) throw new ArgumentException($"{field} must not be empty", field);
        if (value.Length > maxLength) throw new ArgumentException($"{field} is {value.Length} characters long; at most {maxLength} fit", field);
        return value;
    }

    public static string? Optional(string? value, string field, int maxLength) =>
        value is null ? null : NonEmpty(value, field, maxLength);

    /// <summary>
    /// NaN and ±Infinity are refused: SQLite stores a NaN double as NULL (so the same call would fail on one
    /// provider and succeed on the other), and a NaN loss is a run failure to report, not a point to chart.
    /// </summary>
    public static double Finite(double value, string field)
    {
        if (!double.IsFinite(value)) throw new ArgumentException($"{field} is {value}; only finite numbers are stored", field);
        return value;
    }

    public static string Sha256(string? value)
    {
        if (value is null || value.Length != 64 || !value.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f'))
            throw new ArgumentException($"sha256 must be 64 lowercase hex digits, got '{value}'", "sha256");
        return value;
    }

    /// <summary>Throws <see cref="MalformedJsonException"/> unless <paramref name="json"/> parses as one JSON value.</summary>
    public static string WellFormedJson(string? json, string what)
    {
        if (json is null) throw new MalformedJsonException(what, "it is null");
        try
        {
            using var _ = JsonDocument.Parse(json);
            return json;
        }
        catch (JsonException e)
        {
            throw new MalformedJsonException(what, e.Message);
        }
    }

    public static int Limit(int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return limit;
    }
}
