using Llama.Curation.Documents;
using Llama.Curation.Stages;

namespace Llama.Curation.Ingest;

/// <summary>The pipeline's source for files and folders: each input read by <see cref="DocumentReader"/> in turn.</summary>
public sealed class FileDocumentSource(IReadOnlyList<string> inputs, DocumentReaderOptions? options = null) : IDocumentSource
{
    public IEnumerable<CurationDocument> Read(Action<SkippedInput> onSkip, CancellationToken cancellation)
    {
        var reader = new DocumentReader(options);
        foreach (var input in inputs)
        {
            string root = Path.GetFullPath(input);
            foreach (var document in reader.Read(input, skip => onSkip(new SkippedInput(skip.Path, SourceOf(root, skip.Path), skip.Reason, skip.Detail))))
            {
                cancellation.ThrowIfCancellationRequested();
                yield return document;
            }
        }
    }

    /// <summary>The source a skipped file would have had: its top-level folder under the input (as DocumentReader names sources).</summary>
    private static string SourceOf(string root, string path)
    {
        string file = path.Split(['#', ':'], 2)[0];
        if (File.Exists(root)) return Path.GetFileNameWithoutExtension(root);
        string relative = Path.GetRelativePath(root, Path.GetFullPath(file));
        int slash = relative.IndexOfAny(['/', '\\']);
        return slash > 0 ? relative[..slash] : Path.GetFileNameWithoutExtension(relative);
    }
}
