using Llama.Platform;
using Llama.Platform.Artifacts;

namespace Llama.Serving.Hosting;

/// <summary><c>--model</c> for the server: <see cref="ModelArtifactFolder"/>, plus the name clients use for the model.</summary>
public static class ModelLocator
{

    /// <summary>The local directory and the name clients will use for it (the artifact's name, or the directory's).</summary>
    public static async Task<(string Directory, string Name)> ResolveAsync(string model, PlatformSettings? platform, CancellationToken cancellation)
    {
        var (directory, artifact) = await ModelArtifactFolder.ResolveAsync(model, platform, cancellation);
        return (directory, artifact?.Name ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory))));
    }
}
