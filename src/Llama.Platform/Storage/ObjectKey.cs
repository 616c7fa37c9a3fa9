using System.Text;

namespace Llama.Platform.Storage;

/// <summary>
/// The rules every object key obeys, in every store: a relative, '/'-separated path such as
/// <c>checkpoints/run-42/step-1000/model.safetensors</c>. The rules keep keys portable between S3 and a
/// folder on disk, and keep a key from escaping the store's root.
/// </summary>
public static class ObjectKey
{
    /// <summary>S3's limit on a key, in UTF-8 bytes.</summary>
    public const int MaxUtf8Bytes = 1024;

    /// <summary>A file name's limit on common file systems (NAME_MAX), in UTF-8 bytes.</summary>
    public const int MaxSegmentUtf8Bytes = 255;

    /// <summary>
    /// First segment reserved for a store's own bookkeeping (the folder store keeps its checksums and
    /// half-written files there). Reserved in every store so that a key valid on S3 is valid on disk.
    /// </summary>
    public const string ReservedFirstSegment = ".objectstore";

    /// <summary>Orders keys by Unicode code point: the UTF-8 byte order S3 lists in.</summary>
    public static IComparer<string> Order { get; } = new CodePointComparer();

    /// <summary>Throws <see cref="InvalidObjectKeyException"/> naming the key and the rule it breaks.</summary>
    public static void Validate(string key)
    {
        string? broken = FindBrokenRule(key);
        if (broken is not null) throw new InvalidObjectKeyException(key ?? "", broken);
    }

    /// <summary>
    /// Validates a listing prefix: like a key but it may be empty or end in '/' (a folder) or in the middle
    /// of a segment.
    /// </summary>
    public static void ValidatePrefix(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Length == 0) return;
        // "a/" and "a/b" are both fine prefixes; what lies before the last '/' must be a valid key.
        string? broken = FindBrokenRule(prefix.EndsWith('/') ? prefix + "x" : prefix);
        if (broken is not null) throw new InvalidObjectKeyException(prefix, "as a listing prefix: " + broken);
    }

    /// <summary>The rule <paramref name="key"/> breaks, or null when it is valid.</summary>
    public static string? FindBrokenRule(string? key)
    {
        if (string.IsNullOrEmpty(key)) return "must not be empty";
        foreach (char c in key)
            if (char.IsControl(c)) return $"must not contain control characters (found U+{(int)c:X4})";
        if (!IsWellFormedUtf16(key)) return "must be valid Unicode (found an unpaired surrogate)";
        if (key.Contains('\\')) return "must use '/' as separator, not '\\'";
        if (key.StartsWith('/')) return "must be relative (no leading '/')";
        int bytes = Encoding.UTF8.GetByteCount(key);
        if (bytes > MaxUtf8Bytes) return $"must be at most {MaxUtf8Bytes} bytes in UTF-8 (is {bytes})";

        string[] segments = key.Split('/');
        foreach (string segment in segments)
        {
            if (segment.Length == 0) return "must not contain empty segments ('//' or a trailing '/')";
            if (segment is "." or "..") return $"must not contain '{segment}' segments";
            int segmentBytes = Encoding.UTF8.GetByteCount(segment);
            if (segmentBytes > MaxSegmentUtf8Bytes)
                return $"each segment must be at most {MaxSegmentUtf8Bytes} bytes in UTF-8 (one is {segmentBytes})";
        }
        // Ignoring case: on a case-insensitive file system ".ObjectStore" is the same folder.
        if (string.Equals(segments[0], ReservedFirstSegment, StringComparison.OrdinalIgnoreCase))
            return $"must not start with '{ReservedFirstSegment}/' (reserved for the store's own files)";
        return null;
    }

    /// <summary>The key with control characters escaped, fit for an error message.</summary>
    internal static string Printable(string key)
    {
        if (!key.Any(char.IsControl)) return key;
        var sb = new StringBuilder(key.Length + 8);
        foreach (char c in key) sb.Append(char.IsControl(c) ? $"\\u{(int)c:x4}" : c);
        return sb.ToString();
    }

    private static bool IsWellFormedUtf16(string s)
    {
        for (int i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) i++;
            else if (char.IsSurrogate(s[i])) return false;
        }
        return true;
    }

    /// <summary>
    /// Ordinal UTF-16 order puts U+E000..U+FFFF after supplementary characters; code point order (= UTF-8
    /// byte order) does not, and is what S3 uses, so both stores list in the same order.
    /// </summary>
    private sealed class CodePointComparer : IComparer<string>
    {
        public int Compare(string? x, string? y)
        {
            if (ReferenceEquals(x, y)) return 0;
            if (x is null) return -1;
            if (y is null) return 1;
            var ex = x.EnumerateRunes();
            var ey = y.EnumerateRunes();
            while (true)
            {
                bool hx = ex.MoveNext(), hy = ey.MoveNext();
                if (!hx || !hy) return hx.CompareTo(hy);
                int c = ex.Current.Value.CompareTo(ey.Current.Value);
                if (c != 0) return c;
            }
        }
    }
}
