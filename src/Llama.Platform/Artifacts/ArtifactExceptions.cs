using Llama.Platform.Metadata;

namespace Llama.Platform.Artifacts;

/// <summary>No artifact has the given id (or no id starts with the given prefix).</summary>
public sealed class ArtifactNotFoundException : MetadataRecordNotFoundException
{
    public ArtifactNotFoundException(Guid id) : base($"artifact {id} does not exist") => Reference = id.ToString();

    public ArtifactNotFoundException(string prefix) : base($"no artifact id starts with '{prefix}'") => Reference = prefix;

    /// <summary>The id or prefix that was looked up.</summary>
    public string Reference { get; }
}

/// <summary>An id prefix matched more than one artifact; the message lists them so the caller can pick.</summary>
public sealed class AmbiguousArtifactIdException(string prefix, IReadOnlyList<Artifact> matches)
    : Exception($"artifact id prefix '{prefix}' matches {matches.Count}{(matches.Count >= ArtifactRegistry.AmbiguityListLimit ? " or more" : "")} artifacts: "
                + string.Join(", ", matches.Select(a => $"{a.Id} ({a.Kind} '{a.Name}')")) + "; give more characters")
{
    public string Prefix { get; } = prefix;
    public IReadOnlyList<Artifact> Matches { get; } = matches;
}

/// <summary>No dataset has the given id.</summary>
public sealed class DatasetNotFoundException(Guid id) : MetadataRecordNotFoundException($"dataset {id} does not exist")
{
    public Guid DatasetId { get; } = id;
}
