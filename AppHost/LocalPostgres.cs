using System.Diagnostics;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Eventing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

/// <summary>
/// PostgreSQL from the machine's own binaries, for machines without a container engine: <c>initdb</c> once (the
/// <c>postgres-init</c> resource), then <c>postgres</c> on a loopback port. PostgreSQL refuses to run as root, so
/// under root (CI, containers) both run as the <c>postgres</c> user through <c>setpriv</c>, in a folder chowned to it.
/// </summary>
internal static class LocalPostgres
{
    private const string HealthCheckName = "postgres-accepts-connections";

    public static MetadataDatabase Add(IDistributedApplicationBuilder builder, AppHostOptions options)
    {
        string bin = options.PostgresBinDirectory ?? FindBinaries();
        string dataDirectory = Path.Combine(options.DataDirectory, "postgres");
        bool asRoot = Environment.UserName == "root";

        var server = builder.AddExecutable(MetadataDatabase.ServerName,
                Command(asRoot, bin, "postgres"), options.DataDirectory,
                Arguments(asRoot, bin, "postgres",
                    ["-D", dataDirectory, "-p", options.PostgresPort.ToString(), "-k", "/tmp", "-c", "listen_addresses=127.0.0.1"]))
            .WithEndpoint(port: options.PostgresPort, targetPort: options.PostgresPort, scheme: "tcp", name: "tcp", isProxied: false)
            // An executable is "Running" as soon as it starts; services must wait until it accepts connections.
            .WithHealthCheck(HealthCheckName);
        builder.Services.AddHealthChecks().AddAsyncCheck(HealthCheckName, cancellation => ProbeAsync(options.PostgresPort, cancellation));

        if (!IsInitialized(dataDirectory))
        {
            var init = builder.AddExecutable($"{MetadataDatabase.ServerName}-init",
                Command(asRoot, bin, "initdb"), options.DataDirectory,
                Arguments(asRoot, bin, "initdb", ["-D", dataDirectory, "-U", "postgres", "--auth=trust", "-E", "UTF8"]));
            server.WaitForCompletion(init);
        }

        // Only when the application starts (not when a test or a tool merely builds the model).
        builder.Eventing.Subscribe<BeforeStartEvent>((_, _) =>
        {
            PrepareDataDirectory(dataDirectory, asRoot);
            return Task.CompletedTask;
        });

        var endpoint = server.GetEndpoint("tcp");
        var database = builder.AddConnectionString(MetadataDatabase.DatabaseName, ReferenceExpression.Create(
            $"Host=127.0.0.1;Port={endpoint.Property(EndpointProperty.Port)};Database={MetadataDatabase.DatabaseName};Username=postgres"));
        return new MetadataDatabase(server, database);
    }

    private static bool IsInitialized(string dataDirectory) => File.Exists(Path.Combine(dataDirectory, "PG_VERSION"));

    /// <summary>
    /// Creates the data folder (empty, for initdb) and, as root, gives it to the postgres user. A folder without
    /// PG_VERSION holds only the remains of an initdb that did not finish, which initdb would refuse: clear it.
    /// </summary>
    private static void PrepareDataDirectory(string dataDirectory, bool asRoot)
    {
        if (!IsInitialized(dataDirectory) && Directory.Exists(dataDirectory)) Directory.Delete(dataDirectory, recursive: true);
        Directory.CreateDirectory(dataDirectory);
        if (asRoot) Run("chown", "-R", "postgres:postgres", dataDirectory);
    }

    private static async Task<HealthCheckResult> ProbeAsync(int port, CancellationToken cancellation)
    {
        try
        {
            await using var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={port};Database=postgres;Username=postgres;Timeout=3;Pooling=false");
            await connection.OpenAsync(cancellation);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(cancellation);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
        {
            return HealthCheckResult.Unhealthy($"PostgreSQL on 127.0.0.1:{port} does not accept connections yet", e);
        }
    }

    private static string Command(bool asRoot, string bin, string program) => asRoot ? "setpriv" : Path.Combine(bin, program);

    private static string[] Arguments(bool asRoot, string bin, string program, string[] arguments) => asRoot
        ? ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", Path.Combine(bin, program), .. arguments]
        : arguments;

    /// <summary>The newest <c>/usr/lib/postgresql/N/bin</c> (Debian's layout); elsewhere set Llama:Postgres:BinDirectory.</summary>
    private static string FindBinaries()
    {
        const string root = "/usr/lib/postgresql";
        var bin = Directory.Exists(root)
            ? Directory.GetDirectories(root).Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out int v) ? v : 0)
                .FirstOrDefault()
            : null;
        return bin ?? throw new InvalidOperationException(
            "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin: install them (apt-get install postgresql), "
            + "set Llama:Postgres:BinDirectory, or run with a container engine (Llama:UseContainers=true)");
    }

    private static void Run(string program, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardError = true })
            ?? throw new InvalidOperationException($"could not start {program}");
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}): {error.Trim()}");
    }
}
