using Llama.Platform.Metadata;
using Microsoft.EntityFrameworkCore;

namespace Llama.Platform.Artifacts;

public sealed partial class ArtifactRegistry
{
    /// <summary>The fewest hex digits a prefix must have, as with short git hashes: fewer match too much to be useful.</summary>
    public const int MinimumPrefixLength = 6;

    /// <summary>
    /// Finds an artifact from what a person typed: a full id, or an unambiguous prefix of at least
    /// <see cref="MinimumPrefixLength"/> hex digits (dashes optional, any case).
    /// </summary>
    /// <exception cref="ArgumentException">Not an id and not a hex prefix of at least six digits.</exception>
    /// <exception cref="ArtifactNotFoundException">No artifact has that id or prefix.</exception>
    /// <exception cref="AmbiguousArtifactIdException">More than one artifact id starts with the prefix.</exception>
    public async Task<Artifact> ResolveAsync(string idOrPrefix, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(idOrPrefix);
        if (Guid.TryParse(idOrPrefix, out var id)) return await GetAsync(id, cancellation);

        string prefix = CanonicalIdPrefix(idOrPrefix);
        await using var db = store.CreateContext();
        // Both providers turn an id into its dashed text form: lowercase on PostgreSQL (uuid::text, and LIKE is
        // case-sensitive there), uppercase on SQLite (ids are stored as upper-case TEXT, but LIKE ignores ASCII case).
        var matches = await db.Artifacts.AsNoTracking()
            .Where(a => EF.Functions.Like(a.Id.ToString(), prefix + "%"))
            .OrderBy(a => a.CreatedAt)
            .Take(AmbiguityListLimit)
            .ToListAsync(cancellation);
        return matches.Count switch
        {
            0 => throw new ArtifactNotFoundException(idOrPrefix.Trim()),
            1 => matches[0],
            _ => throw new AmbiguousArtifactIdException(idOrPrefix.Trim(), matches),
        };
    }

    /// <summary>
    /// The prefix as the start of a lowercase dashed id (<c>0123abcd-ef…</c>), so it can be matched against the text
    /// form of ids however the caller typed it (<c>0123ABCDEF</c> or <c>0123abcd-ef</c>).
    /// </summary>
    internal static string CanonicalIdPrefix(string prefix)
    {
        string digits = prefix.Trim().Replace("-", "").ToLowerInvariant();
        if (digits.Length == 0 || !digits.All(char.IsAsciiHexDigit))
            throw new ArgumentException($"'{prefix}' is neither an artifact id nor a hex prefix of one", nameof(prefix));
        if (digits.Length < MinimumPrefixLength)
            throw new ArgumentException($"artifact id prefix '{prefix}' is too short: give at least {MinimumPrefixLength} hex digits", nameof(prefix));
        if (digits.Length > 32)
            throw new ArgumentException($"'{prefix}' has more hex digits than an artifact id (32)", nameof(prefix));
        // Dashes of the 8-4-4-4-12 form go after hex digits 8, 12, 16 and 20.
        var canonical = new System.Text.StringBuilder(digits.Length + 4);
        for (int i = 0; i < digits.Length; i++)
        {
            if (i is 8 or 12 or 16 or 20) canonical.Append('-');
            canonical.Append(digits[i]);
        }
        return canonical.ToString();
    }
}
