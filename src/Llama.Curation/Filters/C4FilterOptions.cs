namespace Llama.Curation.Filters;

/// <summary>
/// Settings of <see cref="C4Filter"/>. Defaults are C4's cleaning rules (Raffel et al. 2020, section 2.2) with the
/// extra rules of its reference code (TFDS <c>c4_utils.py</c>), as datatrove's <c>C4QualityFilter</c> sets them.
/// </summary>
public sealed record C4FilterOptions
{
    /// <summary>Remove Wikipedia-style citation marks (<c>[1]</c>, <c>[edit]</c>, <c>[citation needed]</c>) from lines.</summary>
    public bool RemoveCitations { get; init; } = true;

    /// <summary>Keep only lines ending in terminal punctuation (<c>. ? ! " '</c>) and not in an ellipsis.</summary>
    public bool RequireTerminalPunctuation { get; init; } = true;

    /// <summary>Fewest sentences left after line removal; fewer drops the document. C4: 5. Null switches it off.</summary>
    public int? MinSentences { get; init; } = 5;

    /// <summary>Fewest whitespace-separated words a line needs to stay. C4: 3. Null switches it off.</summary>
    public int? MinWordsPerLine { get; init; } = 3;

    /// <summary>Lines with a word longer than this are removed. C4 code: 1000. Null switches it off.</summary>
    public int? MaxWordLength { get; init; } = 1000;

    /// <summary>Drop the document when a kept line contains "lorem ipsum".</summary>
    public bool DropLoremIpsum { get; init; } = true;

    /// <summary>Remove lines that mention "javascript" (C4: "enable JavaScript" warnings).</summary>
    public bool RemoveJavascriptLines { get; init; } = true;

    /// <summary>Drop the document when a kept line contains a curly bracket (C4: a sign of code).</summary>
    public bool DropCurlyBracket { get; init; } = true;

    /// <summary>Remove lines containing one of <see cref="PolicySubstrings"/> (C4 code: cookie and terms boilerplate).</summary>
    public bool RemovePolicyLines { get; init; } = true;

    /// <summary>The boilerplate phrases of C4's code, matched lower-case.</summary>
    public IReadOnlyList<string> PolicySubstrings { get; init; } =
        ["terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies", "use cookies"];
}
