using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Llama.Core.Tests.Pipeline;

/// <summary>
/// One <c>llama service --role ROLE</c> as a real OS process on a fixed loopback port, its console written to a log
/// file (kept across restarts, for failure messages). <see cref="Kill"/> is SIGKILL: no shutdown code runs.
/// </summary>
internal sealed class ServiceProcess : IDisposable
{
    private readonly string[] _configuration;
    private readonly string _log;
    private readonly Lock _logLock = new();
    private Process? _process;

    public ServiceProcess(string role, string logFolder, params string[] configuration)
    {
        Role = role;
        Url = $"http://127.0.0.1:{FreePort()}";
        _configuration = configuration;
        _log = Path.Combine(logFolder, role + ".log");
        Http = new HttpClient { BaseAddress = new Uri(Url) };
    }

    public string Role { get; }
    public string Url { get; }
    public HttpClient Http { get; }

    public void Start()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        string[] args = [Path.Combine(AppContext.BaseDirectory, "llama.dll"), "service", "--role", Role, "--urls", Url, .. _configuration];
        foreach (var arg in args) start.ArgumentList.Add(arg);
        Append($"--- started {DateTime.UtcNow:HH:mm:ss.fff}");
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) Append(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Append(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>SIGKILL, as a crashed machine or an OOM kill would end it, and waits until it is gone.</summary>
    public void Kill()
    {
        _process!.Kill();
        _process.WaitForExit();
        Append($"--- killed {DateTime.UtcNow:HH:mm:ss.fff}");
    }

    /// <summary>Waits until <c>/health</c> answers 200 (database migrated, worker started).</summary>
    public async Task WaitHealthyAsync(TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            if (_process!.HasExited) throw new InvalidOperationException($"the {Role} service exited ({_process.ExitCode}):\n{LogTail()}");
            try
            {
                using var response = await Http.GetAsync("/health");
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the {Role} service was not healthy within {limit}:\n{LogTail()}");
            await Task.Delay(200);
        }
    }

    public string LogTail(int lines = 40)
    {
        lock (_logLock) return File.Exists(_log) ? string.Join('\n', File.ReadLines(_log).TakeLast(lines)) : "(no output)";
    }

    private void Append(string line)
    {
        lock (_logLock) File.AppendAllText(_log, line + "\n");
    }

    public void Dispose()
    {
        if (_process is { HasExited: false }) Kill();
        _process?.Dispose();
        Http.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
