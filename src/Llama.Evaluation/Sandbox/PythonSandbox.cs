using System.Diagnostics;
using System.Text;

namespace Llama.Evaluation.Sandbox;

/// <summary>What a sandboxed program did.</summary>
public sealed record SandboxResult(int ExitCode, string Stdout, string Stderr, bool TimedOut)
{
    public bool Succeeded => ExitCode == 0 && !TimedOut;
}

/// <summary>Python 3 is not on this machine: execution checks cannot run.</summary>
public sealed class SandboxUnavailableException(string message) : Exception(message);

/// <summary>
/// Runs untrusted Python (model output, or code a check needs) in a separate, limited process. Layers, each
/// used when the machine offers it (see docs/EVALUATION.md for exactly what is and is not guaranteed):
/// <list type="bullet">
/// <item>a wall-clock limit: the process tree is killed when it runs over; plus RLIMIT_CPU (prlimit);</item>
/// <item>resource limits (prlimit): 1 GiB address space, no file larger than 0 bytes may be written, 64 open files;</item>
/// <item>no network: a new, empty network namespace (<c>unshare -n</c> as root, <c>unshare -rn</c> otherwise);</item>
/// <item>as root, the program runs as user nobody (setpriv), so it cannot change files the machine's users own;</item>
/// <item>in Python, isolated mode (<c>-I</c>: no environment, no user site, no current folder on the path), no
/// bytecode writes (<c>-B</c>), and an audit hook installed before the program that refuses opening files outside
/// the interpreter's own library (and any write), sockets, subprocesses, exec, fork, file removal and ctypes;</item>
/// <item>an empty temporary working folder, deleted afterwards.</item>
/// </list>
/// </summary>
public sealed class PythonSandbox
{
    private static readonly Lazy<PythonSandbox?> Default = new(() => Detect());

    private PythonSandbox(string python, string? unshare, string? prlimit, string? setpriv, bool root)
    {
        Python = python;
        Unshare = unshare;
        Prlimit = prlimit;
        Setpriv = setpriv;
        IsRoot = root;
    }

    public string Python { get; }
    private string? Unshare { get; }
    private string? Prlimit { get; }
    private string? Setpriv { get; }
    private bool IsRoot { get; }

    /// <summary>The network is cut off (a network namespace could be made).</summary>
    public bool NetworkIsolated { get; private set; }
    /// <summary>Resource limits are applied (prlimit exists).</summary>
    public bool ResourceLimited => Prlimit is not null;
    /// <summary>The program runs as an unprivileged user (we are root and setpriv exists) rather than as the caller.</summary>
    public bool RunsAsNobody => IsRoot && Setpriv is not null && NobodyWorks != false;

    private bool? NobodyWorks { get; set; }

    /// <summary>One line naming the layers in force, recorded with every result that used the sandbox.</summary>
    public string Describe() =>
        $"python3 -I -B + audit hook; {(NetworkIsolated ? "network namespace (no network)" : "NETWORK NOT ISOLATED (unshare unavailable)")}; " +
        $"{(ResourceLimited ? "prlimit cpu/as/fsize=0/nofile" : "NO RESOURCE LIMITS (prlimit unavailable)")}; {(RunsAsNobody ? "user nobody" : "caller's user")}; temp working folder; wall-clock limit";

    /// <summary>The sandbox for this machine, or an error saying python3 is missing.</summary>
    public static PythonSandbox Get() => Default.Value
        ?? throw new SandboxUnavailableException("python3 was not found on PATH: tasks with execution checks need it (apt-get install python3-minimal)");

    /// <summary>True when python3 exists here.</summary>
    public static bool IsAvailable => Default.Value is not null;

    private static PythonSandbox? Detect()
    {
        // The system interpreter first: a PATH entry may be a shim script (pyenv) that an empty environment or
        // another user cannot run.
        var python = new[] { "/usr/bin/python3", "/usr/local/bin/python3" }.FirstOrDefault(File.Exists) ?? FindOnPath("python3");
        if (python is null) return null;
        bool root = Environment.UserName == "root" || (OperatingSystem.IsLinux() && File.Exists("/proc/self/status")
            && File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal))?.Split('\t', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(1) == "0");
        var sandbox = new PythonSandbox(python, FindOnPath("unshare"), FindOnPath("prlimit"), FindOnPath("setpriv"), root);
        // User nobody must be able to run this interpreter (one under /root cannot): try once, else run as the caller.
        if (sandbox.RunsAsNobody)
        {
            var probe = sandbox.Start([sandbox.Setpriv!, "--reuid=65534", "--regid=65534", "--clear-groups", "--", python, "-I", "-c", "pass"], false, Path.GetTempPath());
            probe?.WaitForExit(10000);
            sandbox.NobodyWorks = probe is { HasExited: true, ExitCode: 0 };
        }
        // Containers often forbid namespaces: try once, and run without network isolation (saying so) if refused.
        if (sandbox.Unshare is not null)
        {
            var probe = sandbox.Start(["true"], useNamespace: true, workingDirectory: Path.GetTempPath());
            probe?.WaitForExit(5000);
            sandbox.NetworkIsolated = probe is { HasExited: true, ExitCode: 0 };
        }
        return sandbox;
    }

    /// <summary>Runs <paramref name="program"/> (Python source) and returns its exit code and output.</summary>
    public async Task<SandboxResult> RunAsync(string program, TimeSpan timeout, CancellationToken cancellation = default)
    {
        var folder = Directory.CreateTempSubdirectory("llama-sandbox-");
        try
        {
            if (RunsAsNobody && !OperatingSystem.IsWindows()) File.SetUnixFileMode(folder.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.OtherRead | UnixFileMode.OtherExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
            int cpuSeconds = Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds));
            var command = new List<string>();
            if (Prlimit is not null) command.AddRange([Prlimit, $"--cpu={cpuSeconds}", "--as=1073741824", "--fsize=0", "--nofile=64", "--core=0"]);
            if (RunsAsNobody) command.AddRange([Setpriv!, "--reuid=65534", "--regid=65534", "--clear-groups", "--"]);
            command.AddRange([Python, "-I", "-B", "-c", AuditGuard.Preamble + program]);
            using var process = Start(command, NetworkIsolated, folder.FullName)
                ?? throw new SandboxUnavailableException($"could not start {Python}");
            var stdout = process.StandardOutput.ReadToEndAsync(cancellation);
            var stderr = process.StandardError.ReadToEndAsync(cancellation);
            bool timedOut = false;
            using (var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation))
            {
                limit.CancelAfter(timeout);
                try { await process.WaitForExitAsync(limit.Token); }
                catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
                {
                    timedOut = true;
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync(CancellationToken.None);
                }
            }
            return new SandboxResult(process.ExitCode, Truncate(await stdout), Truncate(await stderr), timedOut);
        }
        finally
        {
            try { folder.Delete(recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private Process? Start(IReadOnlyList<string> command, bool useNamespace, string workingDirectory)
    {
        var info = new ProcessStartInfo
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
            UseShellExecute = false, WorkingDirectory = workingDirectory,
            StandardOutputEncoding = Encoding.UTF8, StandardErrorEncoding = Encoding.UTF8,
        };
        var arguments = useNamespace && Unshare is not null
            ? [Unshare, IsRoot ? "-n" : "-rn", "--", .. command]
            : command;
        info.FileName = arguments[0];
        foreach (var argument in arguments.Skip(1)) info.ArgumentList.Add(argument);
        // Nothing of ours leaks in: an empty environment except what Python needs to start.
        info.Environment.Clear();
        info.Environment["PATH"] = "/usr/bin:/bin";
        info.Environment["LANG"] = "C.UTF-8";
        info.Environment["PYTHONIOENCODING"] = "utf-8";
        var process = Process.Start(info);
        process?.StandardInput.Close();
        return process;
    }

    private static string Truncate(string text) => text.Length <= 65536 ? text : text[..65536];

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);
}
