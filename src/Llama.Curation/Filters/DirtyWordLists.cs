using System.Text;
using System.Text.RegularExpressions;

namespace Llama.Curation.Filters;

/// <summary>
/// The dirty-word lists of one folder, each compiled into one case-insensitive matcher of whole words and phrases
/// (longest entry first, so a phrase wins over a word inside it). Read once; each matcher is compiled on first use (thread-safe through Lazy) and is thread-safe.
/// </summary>
internal sealed class DirtyWordLists
{
    // A "word character" for boundaries: letters, combining marks (Devanagari vowel signs are spacing marks, which
    // .NET's \w leaves out), digits and underscore.
    private const string WordChar = @"[\p{L}\p{M}\p{N}_]";

    private readonly Dictionary<string, Lazy<Regex>> _matchers;

    private DirtyWordLists(Dictionary<string, Lazy<Regex>> matchers) => _matchers = matchers;

    /// <summary>The languages with a list.</summary>
    public IReadOnlyCollection<string> Languages => _matchers.Keys;

    /// <summary>Reads every <c>*.txt</c> in <see cref="DirtyWordFilterOptions.ListsDirectory"/>.</summary>
    public static DirtyWordLists Load(DirtyWordFilterOptions options)
    {
        var directory = options.ListsDirectory;
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"dirty-word lists: folder '{Path.GetFullPath(directory)}' does not exist");
        var matchers = new Dictionary<string, Lazy<Regex>>(StringComparer.OrdinalIgnoreCase);
        foreach (var path in Directory.EnumerateFiles(directory, "*.txt").Order(StringComparer.Ordinal))
        {
            var language = Path.GetFileNameWithoutExtension(path);
            var allowed = options.AllowList.TryGetValue(language, out var allow) ? allow.ToHashSet(StringComparer.Ordinal) : [];
            var entries = File.ReadLines(path, Encoding.UTF8)
                .Select(l => l.Trim())
                .Where(l => l.Length > 0 && !allowed.Contains(l))
                .Distinct(StringComparer.OrdinalIgnoreCase)
                .OrderByDescending(l => l.Length).ThenBy(l => l, StringComparer.Ordinal)
                .ToList();
            if (entries.Count == 0) continue;
            var segmented = !options.UnsegmentedLanguages.Contains(language, StringComparer.OrdinalIgnoreCase);
            // Compiled on first use: a run usually meets a few of the 27 languages.
            matchers[language] = new Lazy<Regex>(() => Compile(entries, segmented, options.MatchTimeout));
        }
        if (matchers.Count == 0)
            throw new InvalidDataException($"dirty-word lists: folder '{Path.GetFullPath(directory)}' has no non-empty <language>.txt list");
        return new DirtyWordLists(matchers);
    }

    /// <summary>
    /// The matcher for <paramref name="language"/>: the exact tag, then its primary subtag (<c>pt-BR</c> → <c>pt</c>),
    /// then <paramref name="fallback"/>; null when none has a list.
    /// </summary>
    public Regex? MatcherFor(string? language, string fallback)
    {
        if (language is not null)
        {
            if (_matchers.TryGetValue(language, out var exact)) return exact.Value;
            var dash = language.IndexOf('-');
            if (dash > 0 && _matchers.TryGetValue(language[..dash], out var primary)) return primary.Value;
        }
        return _matchers.GetValueOrDefault(fallback)?.Value;
    }

    private static Regex Compile(IEnumerable<string> entries, bool segmented, TimeSpan timeout)
    {
        // Spaces inside a phrase match any run of whitespace, so a phrase broken across lines still counts.
        var alternatives = string.Join('|', entries.Select(e => Regex.Escape(e).Replace(@"\ ", @"\s+")));
        var pattern = segmented ? $"(?<!{WordChar})(?:{alternatives})(?!{WordChar})" : $"(?:{alternatives})";
        return new Regex(pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, timeout);
    }
}
