namespace Llama.Curation.Filters;

/// <summary>Line splitting shared by the filters, matching the Python calls datatrove makes.</summary>
internal static class LineSplitter
{
    /// <summary>
    /// Python's <c>str.splitlines()</c> for the usual breaks (\n, \r\n, \r): no empty last line after a final break,
    /// and one empty line for empty text's callers to divide by (datatrove would divide by zero there).
    /// </summary>
    public static List<string> SplitLines(string text)
    {
        var lines = new List<string>();
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] is not ('\n' or '\r')) continue;
            lines.Add(text.Substring(start, i - start));
            if (text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
            start = i + 1;
        }
        if (start < text.Length) lines.Add(text[start..]);
        if (lines.Count == 0) lines.Add(string.Empty);
        return lines;
    }
}
