using System.Reflection;
using Llama.Platform.Runs;

namespace Llama.Platform.Tests.Runs;

public class CodeVersionTests
{
    [Fact]
    public void Version_of_a_built_assembly_is_its_informational_version()
    {
        var assembly = typeof(RunTracker).Assembly;
        string expected = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;

        Assert.Equal(expected, CodeVersion.Of(assembly));
        Assert.False(string.IsNullOrWhiteSpace(CodeVersion.Current));
    }

    [Fact]
    public void Version_without_an_assembly_is_unknown() => Assert.Equal("unknown", CodeVersion.Of(null));
}
