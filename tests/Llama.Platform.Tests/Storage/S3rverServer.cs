using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;

namespace Llama.Platform.Tests.Storage;

/// <summary>
/// A real S3-compatible server for tests: s3rver 3.7.1 (npm) on a free loopback port with a throw-away data
/// folder. Installed into <c>tests/tools/</c> on first use (needs node and npm, ~3-10 s once).
/// </summary>
public sealed class S3rverServer : IAsyncDisposable
{
    public const string Version = "3.7.1";

    /// <summary>s3rver's built-in account: the access key and secret are both this.</summary>
    public const string Credential = "S3RVER";

    private readonly Process _process;

    private S3rverServer(Process process, string dataDirectory, int port)
    {
        _process = process;
        DataDirectory = dataDirectory;
        Port = port;
    }

    /// <summary>Where s3rver keeps buckets: <c>DIR/bucket/key._S3rver_object</c>, uploads in <c>DIR/bucket/._S3rver_uploads/</c>.</summary>
    public string DataDirectory { get; }

    public int Port { get; }

    public string ServiceUrl => $"http://127.0.0.1:{Port}";

    /// <summary>A plain SDK client for looking behind a store's back (raw objects, metadata, corruption).</summary>
    public AmazonS3Client CreateRawClient() => new(new BasicAWSCredentials(Credential, Credential), new AmazonS3Config
    {
        ServiceURL = ServiceUrl,
        ForcePathStyle = true,
        AuthenticationRegion = "us-east-1",
        RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
        ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
    });

    /// <summary>
    /// Multipart uploads not yet completed or aborted. s3rver 3.7.1 answers ListMultipartUploads with
    /// NotImplemented, so read its data folder instead.
    /// </summary>
    public IReadOnlyList<string> PendingUploads(string bucket)
    {
        string uploads = Path.Combine(DataDirectory, bucket, "._S3rver_uploads");
        return Directory.Exists(uploads) ? Directory.GetDirectories(uploads).Select(d => Path.GetFileName(d)).ToList() : [];
    }

    public static async Task<S3rverServer> StartAsync()
    {
        string script = await EnsureInstalledAsync();
        string dataDirectory = Path.Combine(Path.GetTempPath(), "llama-s3rver-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dataDirectory);
        int port = FreePort();
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (string arg in new[] { script, "-d", dataDirectory, "-a", "127.0.0.1", "-p", port.ToString(), "--no-vhost-buckets", "--silent" })
            start.ArgumentList.Add(arg);
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start node for s3rver");
        var stderr = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { lock (stderr) stderr.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new S3rverServer(process, dataDirectory, port);
        try
        {
            await server.WaitUntilListeningAsync(() => { lock (stderr) return stderr.ToString(); });
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    private async Task WaitUntilListeningAsync(Func<string> stderr)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"s3rver exited with code {_process.ExitCode} while starting: {stderr()}");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    /// <summary>The s3rver script, installing it with npm into <c>tests/tools/</c> when it is missing.</summary>
    private static async Task<string> EnsureInstalledAsync()
    {
        string tools = Path.Combine(FindRepositoryRoot(), "tests", "tools");
        string script = Path.Combine(tools, "node_modules", ".bin", "s3rver");
        if (File.Exists(script)) return script;

        var npm = new ProcessStartInfo("npm") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { "install", "--no-audit", "--no-fund", "--prefix", tools, $"s3rver@{Version}" })
            npm.ArgumentList.Add(arg);
        Process process;
        try
        {
            process = Process.Start(npm) ?? throw new InvalidOperationException("npm did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException(
                "The S3 tests run against s3rver, an npm package, but npm was not found: install Node.js and npm " +
                "(Debian: apt-get install nodejs npm) and run the tests again.", e);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0 || !File.Exists(script))
                throw new InvalidOperationException(
                    $"npm install s3rver@{Version} into {tools} failed ({process.ExitCode}): {await stderr}{await stdout}");
        }
        return script;
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Llama.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no folder containing Llama.sln above {AppContext.BaseDirectory}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        finally
        {
            _process.Dispose();
            try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}

/// <summary>One s3rver for every test in the <see cref="S3rverCollection"/> (xunit collection fixture).</summary>
public sealed class S3rverFixture : IAsyncLifetime
{
    private S3rverServer? _server;
    public S3rverServer Server => _server ?? throw new InvalidOperationException("s3rver not started");
    public async Task InitializeAsync() => _server = await S3rverServer.StartAsync();
    public async Task DisposeAsync() { if (_server is not null) await _server.DisposeAsync(); }
}

[CollectionDefinition(Name)]
public sealed class S3rverCollection : ICollectionFixture<S3rverFixture>
{
    public const string Name = "s3rver";
}
