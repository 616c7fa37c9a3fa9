namespace Llama.Curation.Ingest;

/// <summary>
/// Lists the files under an input root, recursively, in ordinal order of their relative paths, so that ids and
/// document order do not depend on the file system's listing order.
/// </summary>
internal static class InputFileWalker
{
    // Hidden entries (dot-files on Unix, such as .gitkeep or .DS_Store) and system files are not inputs.
    private static readonly EnumerationOptions Recursive = new()
    {
        RecurseSubdirectories = true,
        IgnoreInaccessible = true,
        AttributesToSkip = FileAttributes.Hidden | FileAttributes.System,
    };

    public static IReadOnlyList<InputFile> List(string inputPath, string? sourceName)
    {
        if (File.Exists(inputPath))
        {
            var name = Path.GetFileName(inputPath);
            return [Describe(Path.GetFullPath(inputPath), name, sourceName ?? InputFile.Stem(name), name)];
        }
        if (!Directory.Exists(inputPath))
            throw new DirectoryNotFoundException($"input path not found: {inputPath}");

        var root = Path.GetFullPath(inputPath);
        var relativePaths = Directory.EnumerateFiles(root, "*", Recursive)
            .Select(path => Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/'))
            .ToList();
        relativePaths.Sort(StringComparer.Ordinal);

        var files = new List<InputFile>(relativePaths.Count);
        foreach (var relative in relativePaths)
        {
            var fullPath = Path.Combine(root, relative);
            var slash = relative.IndexOf('/');
            if (sourceName is not null)
                files.Add(Describe(fullPath, relative, sourceName, relative));
            else if (slash < 0) // a file at the top level is its own source: notes.txt → notes/notes.txt
                files.Add(Describe(fullPath, relative, InputFile.Stem(relative), relative));
            else // python-docs/library/os.html → source python-docs, id python-docs/library/os.html
                files.Add(Describe(fullPath, relative[(slash + 1)..], relative[..slash], relative));
        }
        return files;
    }

    private static InputFile Describe(string fullPath, string pathInSource, string source, string relativePath)
    {
        var (format, gzipped) = InputFile.Classify(Path.GetFileName(relativePath));
        return new InputFile(fullPath, $"{source}/{pathInSource}", source, format, gzipped);
    }
}
