using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Llama.Platform.Tests.Infrastructure;

/// <summary>
/// A real, throw-away PostgreSQL server for tests: initdb into a temporary folder, then postgres on a free
/// loopback port. PostgreSQL refuses to run as root, so under root (CI) both run as the <c>postgres</c> user
/// through setpriv. The binaries come from the <c>postgresql</c> Debian package (.ci/run installs it).
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly Process _server;
    private readonly string _dataDir;

    private PostgresServer(Process server, string dataDir, int port)
    {
        _server = server;
        _dataDir = dataDir;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString(string database = "postgres") =>
        $"Host=127.0.0.1;Port={Port};Database={database};Username=postgres;Pooling=false";

    public static async Task<PostgresServer> StartAsync()
    {
        string bin = FindBinaries();
        string dataDir = Path.Combine(Path.GetTempPath(), "llama-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dataDir);
        bool root = Environment.UserName == "root";
        if (root) await RunAsync("chown", ["-R", "postgres:postgres", dataDir]);

        await RunAsync(Wrap(root, Path.Combine(bin, "initdb")), Args(root, Path.Combine(bin, "initdb"),
            ["-D", Path.Combine(dataDir, "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]));

        int port = FreePort();
        var start = new ProcessStartInfo(Wrap(root, Path.Combine(bin, "postgres")))
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in Args(root, Path.Combine(bin, "postgres"),
                     ["-D", Path.Combine(dataDir, "data"), "-p", port.ToString(), "-k", dataDir,
                      "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "full_page_writes=off", "-c", "max_connections=200"]))
            start.ArgumentList.Add(a);
        var server = Process.Start(start) ?? throw new InvalidOperationException("could not start postgres");
        server.OutputDataReceived += (_, _) => { };
        server.ErrorDataReceived += (_, _) => { };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        var instance = new PostgresServer(server, dataDir, port);
        await instance.WaitUntilReadyAsync();
        return instance;
    }

    /// <summary>A new, empty database on this server (one per test class keeps tests independent).</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "t")
    {
        string name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(40, prefix.Length + 33)];
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    private async Task WaitUntilReadyAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (_server.HasExited) throw new InvalidOperationException($"postgres exited with code {_server.ExitCode} while starting");
            try
            {
                await using var connection = new NpgsqlConnection(ConnectionString());
                await connection.OpenAsync();
                return;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_server.HasExited)
            {
                _server.Kill(entireProcessTree: true);
                await _server.WaitForExitAsync();
            }
        }
        finally
        {
            _server.Dispose();
            try { Directory.Delete(_dataDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

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
            "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin: install them with 'apt-get install postgresql' (.ci/run does)");
    }

    private static string Wrap(bool root, string program) => root ? "setpriv" : program;

    private static IEnumerable<string> Args(bool root, string program, IEnumerable<string> args) =>
        root ? ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", program, .. args] : args;

    private static async Task RunAsync(string program, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', start.ArgumentList)} failed ({process.ExitCode}): {await stderr}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>One PostgreSQL server for every test that needs one (xunit collection fixture).</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private PostgresServer? _server;
    public PostgresServer Server => _server ?? throw new InvalidOperationException("server not started");
    public async Task InitializeAsync() => _server = await PostgresServer.StartAsync();
    public async Task DisposeAsync() { if (_server is not null) await _server.DisposeAsync(); }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "postgres";
}
