using Llama.Evaluation.Sandbox;

namespace Llama.Evaluation.Tests.Sandbox;

/// <summary>The sandbox's guarantees, each tried. .ci/run installs python3 where it is missing, so these do not skip.</summary>
public sealed class PythonSandboxTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);
    private readonly PythonSandbox _sandbox = PythonSandbox.Get();

    [Fact]
    public async Task A_program_runs_and_its_output_comes_back()
    {
        var result = await _sandbox.RunAsync("print(sorted({'b': 1, 'a': 2}))", Limit);
        Assert.True(result.Succeeded, result.Stderr);
        Assert.Equal("['a', 'b']\n", result.Stdout);
    }

    [Fact]
    public async Task A_program_that_runs_too_long_is_killed()
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var result = await _sandbox.RunAsync("while True: pass", TimeSpan.FromSeconds(1));
        Assert.False(result.Succeeded);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(8), $"took {watch.Elapsed}");
    }

    [Theory]
    [InlineData("open('/etc/hostname').read()")]
    [InlineData("open('written.txt', 'w').write('x')")]
    [InlineData("import os; os.remove('/tmp/anything')")]
    [InlineData("import subprocess; subprocess.run(['true'])")]
    [InlineData("import os; os.system('true')")]
    public async Task File_and_process_access_is_refused(string program)
    {
        var result = await _sandbox.RunAsync(program, Limit);
        Assert.False(result.Succeeded);
        Assert.Contains("sandbox:", result.Stderr);
    }

    [Fact]
    public async Task The_network_cannot_be_reached()
    {
        var result = await _sandbox.RunAsync("import socket; socket.create_connection(('127.0.0.1', 80), timeout=2)", Limit);
        Assert.False(result.Succeeded);
        Assert.Contains("sandbox: socket", result.Stderr);
    }

    [Fact]
    public async Task Imports_from_the_standard_library_still_work()
    {
        var result = await _sandbox.RunAsync("import collections, fractions, json; print(fractions.Fraction(1, 3) + 1)", Limit);
        Assert.True(result.Succeeded, result.Stderr);
        Assert.Equal("4/3\n", result.Stdout);
    }
}
