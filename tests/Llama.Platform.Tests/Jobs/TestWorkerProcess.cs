using System.Diagnostics;
using System.Reflection;
using Llama.Platform.Metadata;

namespace Llama.Platform.Tests.Jobs;

/// <summary>
/// One Llama.Platform.TestWorker process: a real JobWorker running <c>test.record</c> jobs against the test's
/// database, logging "&lt;jobId&gt; &lt;workerId&gt;" to <c>&lt;logDir&gt;/&lt;workerId&gt;.log</c> as each attempt starts.
/// </summary>
internal sealed class TestWorkerProcess : IDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _output = [];

    private TestWorkerProcess(Process process, string workerId)
    {
        _process = process;
        WorkerId = workerId;
    }

    public string WorkerId { get; }

    public static TestWorkerProcess Start(MetadataStore store, string queue, string workerId, string logDir, TimeSpan lease)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        string[] args =
        [
            WorkerDll(), "--provider", store.Options.Provider.ToString(), "--connection", store.Options.ConnectionString,
            "--queue", queue, "--worker-id", workerId, "--log-dir", logDir,
            "--lease-ms", ((int)lease.TotalMilliseconds).ToString(), "--poll-ms", "50",
        ];
        foreach (var arg in args) start.ArgumentList.Add(arg);
        var worker = new TestWorkerProcess(Process.Start(start) ?? throw new InvalidOperationException("could not start the test worker"), workerId);
        worker._process.OutputDataReceived += (_, e) => worker.OnOutput(e.Data);
        worker._process.ErrorDataReceived += (_, e) => worker.OnOutput(e.Data);
        worker._process.BeginOutputReadLine();
        worker._process.BeginErrorReadLine();
        return worker;
    }

    /// <summary>Waits for the worker's "ready" line; fails with its output if it exits or takes too long.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        var exited = _process.WaitForExitAsync();
        var first = await Task.WhenAny(_ready.Task, exited, Task.Delay(timeout));
        if (first != _ready.Task)
            Assert.Fail($"test worker {WorkerId} did not get ready ({(first == exited ? $"exited with {_process.ExitCode}" : "timed out")}):\n{Output}");
    }

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get { lock (_output) return string.Join('\n', _output); }
    }

    /// <summary>SIGKILL on Linux: no shutdown code runs, exactly like a crashed or OOM-killed worker.</summary>
    public void Kill()
    {
        if (!_process.HasExited) _process.Kill();
        _process.WaitForExit();
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private void OnOutput(string? line)
    {
        if (line is null) return;
        lock (_output) _output.Add(line);
        if (line == "ready") _ready.TrySetResult();
    }

    private static string WorkerDll()
    {
        string path = typeof(TestWorkerProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "TestWorkerPath").Value!;
        return File.Exists(path) ? Path.GetFullPath(path)
            : throw new FileNotFoundException($"the test worker is not built at {path}; build tests/Llama.Platform.TestWorker (the test project references it)");
    }
}
