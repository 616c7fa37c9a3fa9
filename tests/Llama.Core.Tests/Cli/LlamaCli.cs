using System.Diagnostics;

namespace Llama.Core.Tests.Cli;

/// <summary>Runs the real `llama` executable (built next to the tests) as a child process.</summary>
internal static class LlamaCli
{
    public sealed record Result(int ExitCode, string StandardOutput, string StandardError)
    {
        public string LastLine => StandardOutput.TrimEnd().Split('\n')[^1].TrimEnd('\r');
    }

    /// <summary>Starts `llama` without waiting (output discarded), for tests that kill it mid-way.</summary>
    public static Process Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "llama.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public static Result Run(params string[] args) => Run(TimeSpan.FromMinutes(2), args);

    public static Result Run(TimeSpan timeout, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "llama.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout)) { process.Kill(entireProcessTree: true); throw new TimeoutException($"llama did not finish in {timeout}"); }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }
}
