using System.Diagnostics;
using System.ComponentModel;
using Microsoft.Extensions.Configuration;

/// <summary>
/// The AppHost's own settings, read from its configuration (appsettings.json, user secrets, <c>--Key=value</c>
/// arguments): never from process-wide environment variables of our own, because Aspire.Hosting.Testing runs this
/// Program inside the test process, where such variables would leak between tests.
/// <list type="bullet">
/// <item><c>Llama:UseContainers</c> (<c>true</c>|<c>false</c>): PostgreSQL and MinIO as containers; default: only
/// when a container runtime answers, and always when publishing.</item>
/// <item><c>Llama:DataDirectory</c>: where local PostgreSQL and the object folder live (default <c>.llama/apphost</c>
/// at the repository root).</item>
/// <item><c>Llama:Postgres:Port</c> (default 55432) and <c>Llama:Postgres:BinDirectory</c> (default: the newest
/// <c>/usr/lib/postgresql/*/bin</c>) for the local PostgreSQL.</item>
/// </list>
/// </summary>
internal sealed record AppHostOptions(bool UseContainers, string DataDirectory, int PostgresPort, string? PostgresBinDirectory)
{
    /// <summary>Not 5432, so that a system PostgreSQL and this one do not meet.</summary>
    public const int DefaultPostgresPort = 55432;

    public static AppHostOptions From(IDistributedApplicationBuilder builder)
    {
        var config = builder.Configuration;
        bool useContainers = builder.ExecutionContext.IsPublishMode
            || (config.GetValue<bool?>("Llama:UseContainers") ?? ContainerRuntime.Answers(config));
        string dataDirectory = Path.GetFullPath(config["Llama:DataDirectory"]
            ?? Path.Combine(builder.AppHostDirectory, "..", ".llama", "apphost"));
        int port = config.GetValue<int?>("Llama:Postgres:Port") ?? DefaultPostgresPort;
        return new AppHostOptions(useContainers, dataDirectory, port, config["Llama:Postgres:BinDirectory"]);
    }
}

/// <summary>Whether a container engine is there to run PostgreSQL and MinIO as containers.</summary>
internal static class ContainerRuntime
{
    /// <summary>
    /// True when <c>docker info</c> (or the runtime Aspire is told to use) exits 0 within a few seconds. The client
    /// alone is not enough: without a daemon, Aspire's container resources hang (PLATFORM-NOTES).
    /// </summary>
    public static bool Answers(IConfiguration config)
    {
        string runtime = config["ASPIRE_CONTAINER_RUNTIME"] ?? config["DOTNET_ASPIRE_CONTAINER_RUNTIME"] ?? "docker";
        var start = new ProcessStartInfo(runtime, ["info", "--format", "{{.ServerVersion}}"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        try
        {
            using var process = Process.Start(start);
            if (process is null) return false;
            _ = process.StandardOutput.ReadToEndAsync(); // drain both pipes so the child never blocks on a full one
            _ = process.StandardError.ReadToEndAsync();
            if (process.WaitForExit(TimeSpan.FromSeconds(5))) return process.ExitCode == 0;
            process.Kill(entireProcessTree: true);
            return false;
        }
        catch (Win32Exception)
        {
            return false; // no such program
        }
    }
}
