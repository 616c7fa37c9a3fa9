using System.Text;
using AngleSharp.Dom;

namespace Llama.Curation.Ingest;

/// <summary>
/// Turns a DOM subtree into plain text that keeps the page's block structure: paragraphs, headings, lists, code
/// blocks and tables are separated by a blank line, list items, table rows and generic blocks start a new line,
/// inline whitespace collapses to one space and <c>pre</c> keeps its own. Entities are already decoded by the parser.
/// </summary>
internal sealed class HtmlBlockTextWriter
{
    private static readonly HashSet<string> NeverText = new(StringComparer.OrdinalIgnoreCase)
    {
        "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed", "canvas", "head",
        "button", "select", "option", "textarea", "input",
    };

    private static readonly HashSet<string> ParagraphBlocks = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "ul", "ol", "dl", "table", "figure", "hr",
        "address", "details", "fieldset",
    };

    private static readonly HashSet<string> LineBlocks = new(StringComparer.OrdinalIgnoreCase)
    {
        "li", "tr", "dt", "dd", "div", "section", "article", "main", "header", "footer", "nav", "aside", "caption",
        "figcaption", "summary", "legend", "form", "body",
    };

    private readonly StringBuilder _text = new();
    private readonly Func<IElement, bool>? _skipElement;
    private int _pendingBreak; // 0: none, 1: new line, 2: blank line
    private bool _pendingSpace;
    private int _preDepth;

    private HtmlBlockTextWriter(Func<IElement, bool>? skipElement) => _skipElement = skipElement;

    /// <summary>The text of <paramref name="root"/>; elements for which <paramref name="skipElement"/> is true are left out.</summary>
    public static string Write(INode root, Func<IElement, bool>? skipElement = null)
    {
        var writer = new HtmlBlockTextWriter(skipElement);
        writer.Walk(root);
        return Tidy(writer._text);
    }

    // Iterative, so that a page of ten thousand nested divs cannot overflow the stack.
    private void Walk(INode root)
    {
        var stack = new Stack<(INode Node, bool Leaving)>();
        stack.Push((root, false));
        while (stack.Count > 0)
        {
            var (node, leaving) = stack.Pop();
            if (node is IElement element)
            {
                if (leaving)
                {
                    Leave(element);
                    continue;
                }
                if (NeverText.Contains(element.LocalName) || IsPermalink(element) ||
                    (_skipElement?.Invoke(element) ?? false)) continue;
                Enter(element);
                stack.Push((element, true));
                for (var child = element.LastChild; child is not null; child = child.PreviousSibling)
                    stack.Push((child, false));
            }
            else if (node is IText text)
            {
                AppendText(text.Data);
            }
            else if (node.HasChildNodes) // the document itself, fragments
            {
                for (var child = node.LastChild; child is not null; child = child.PreviousSibling)
                    stack.Push((child, false));
            }
        }
    }

    // Heading anchors that docs generators add (Sphinx "¶", GitHub and MkDocs "#", "§") are not text.
    private static bool IsPermalink(IElement element) =>
        element.LocalName == "a" && element.TextContent.Trim() is "¶" or "#" or "§" or "🔗";

    private void Enter(IElement element)
    {
        var name = element.LocalName;
        if (name == "br") RequestBreak(1);
        else if (name is "td" or "th") _pendingSpace = true;
        else BreakAround(element);
        if (name == "pre") _preDepth++;
    }

    private void Leave(IElement element)
    {
        if (element.LocalName == "pre") _preDepth--;
        BreakAround(element);
    }

    private void BreakAround(IElement element)
    {
        var name = element.LocalName;
        if (ParagraphBlocks.Contains(name))
        {
            // A list inside a list item is part of that item's lines, not a new paragraph.
            var nestedList = name is "ul" or "ol" or "dl" && element.ParentElement?.Closest("li, dd") is not null;
            RequestBreak(nestedList ? 1 : 2);
        }
        else if (LineBlocks.Contains(name))
        {
            RequestBreak(1);
        }
    }

    private void RequestBreak(int lines) => _pendingBreak = Math.Max(_pendingBreak, lines);

    private void AppendText(string data)
    {
        if (_preDepth > 0)
        {
            if (data.Length == 0) return;
            FlushPending();
            _text.Append(data.ReplaceLineEndings("\n"));
            return;
        }
        foreach (var c in data)
        {
            if (char.IsWhiteSpace(c))
            {
                _pendingSpace = true;
                continue;
            }
            FlushPending();
            _text.Append(c);
        }
    }

    private void FlushPending()
    {
        if (_pendingBreak > 0 && _text.Length > 0)
        {
            _text.Append('\n', _pendingBreak);
        }
        else if (_pendingSpace && _text.Length > 0 && _text[^1] != '\n')
        {
            _text.Append(' ');
        }
        _pendingBreak = 0;
        _pendingSpace = false;
    }

    /// <summary>Trailing spaces off every line, at most one blank line in a row, none at the ends.</summary>
    private static string Tidy(StringBuilder raw)
    {
        var result = new StringBuilder(raw.Length);
        var blankRun = 0;
        foreach (var line in raw.ToString().Split('\n'))
        {
            var trimmed = line.TrimEnd();
            if (trimmed.Length == 0)
            {
                blankRun++;
                continue;
            }
            if (result.Length > 0) result.Append(blankRun > 0 ? "\n\n" : "\n");
            result.Append(trimmed);
            blankRun = 0;
        }
        return result.ToString();
    }
}
