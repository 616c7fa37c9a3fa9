using System.Diagnostics;
using Llama.Pretraining.Parallel.ProcessGroups;

namespace Llama.Pretraining.Parallel;

/// <summary>
/// Starts a parallel run the way a user would: <c>mpirun -np WORLD</c> over this same program and arguments. A
/// process already inside an MPI job (started by mpirun, Slurm's srun with PMIx, or a Kubernetes MPIJob) joins it
/// instead (<see cref="MpiProcessGroup.LaunchedByMpi"/>).
/// </summary>
public static class MpiLauncher
{
    /// <summary>
    /// The mpirun command line that runs <paramref name="worldSize"/> copies of this program with
    /// <paramref name="arguments"/> (default: this process's own arguments).
    /// </summary>
    public static ProcessStartInfo MpirunCommand(int worldSize, IReadOnlyList<string>? arguments = null)
    {
        var start = new ProcessStartInfo("mpirun") { UseShellExecute = false };
        // Root needs explicit consent from OpenMPI; --oversubscribe allows more ranks than cores (one thread each);
        // --bind-to none lets the OS spread them; TERM=dumb keeps .NET's terminal probing out of the ranks' output.
        if (Environment.UserName == "root") start.ArgumentList.Add("--allow-run-as-root");
        foreach (var arg in new[] { "--oversubscribe", "--bind-to", "none", "-x", "TERM=dumb", "-np", worldSize.ToString() })
            start.ArgumentList.Add(arg);
        var self = Environment.GetCommandLineArgs();
        string host = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell which program to start under mpirun");
        start.ArgumentList.Add(host);
        // Under `dotnet llama.dll`, the first argument is the assembly; under the apphost it is the program itself.
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") start.ArgumentList.Add(self[0]);
        foreach (var arg in arguments ?? self[1..]) start.ArgumentList.Add(arg);
        return start;
    }

    /// <summary>
    /// Runs <paramref name="worldSize"/> ranks under mpirun and returns its exit code. Their output passes through,
    /// or, with <paramref name="outputLine"/>, each line of stdout and stderr goes to it (a service reads progress so).
    /// </summary>
    public static async Task<int> RunAsync(int worldSize, CancellationToken cancellation, IReadOnlyList<string>? arguments = null, Action<string>? outputLine = null)
    {
        var start = MpirunCommand(worldSize, arguments);
        start.RedirectStandardOutput = start.RedirectStandardError = outputLine is not null;
        Process process;
        try { process = Process.Start(start)!; }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"a parallel layout of {worldSize} ranks needs mpirun (OpenMPI), which could not be started: {e.Message}; on Debian: apt-get install openmpi-bin libopenmpi3");
        }
        if (outputLine is not null)
        {
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) outputLine(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) outputLine(e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }
        using (process)
        using (cancellation.Register(() => { try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } }))
        {
            await process.WaitForExitAsync(CancellationToken.None);
            cancellation.ThrowIfCancellationRequested();
            return process.ExitCode;
        }
    }
}
