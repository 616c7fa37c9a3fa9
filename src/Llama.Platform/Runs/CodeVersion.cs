using System.Reflection;

namespace Llama.Platform.Runs;

/// <summary>Which code is running, recorded on every run so an artifact can be traced to the build that made it.</summary>
public static class CodeVersion
{
    /// <summary>
    /// The entry assembly's informational version (the .NET SDK appends <c>+&lt;commit&gt;</c> when built from a git
    /// checkout), or "unknown". No <c>git</c> process is started: a deployed binary has no checkout to ask.
    /// </summary>
    public static string Current { get; } = Of(Assembly.GetEntryAssembly());

    /// <summary>The informational version of <paramref name="assembly"/>, falling back to its version, then "unknown".</summary>
    public static string Of(Assembly? assembly)
    {
        string? informational = assembly?.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (!string.IsNullOrWhiteSpace(informational)) return informational;
        return assembly?.GetName().Version?.ToString() ?? "unknown";
    }
}
