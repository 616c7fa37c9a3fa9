using Llama.Platform.Artifacts;

namespace Llama.Platform.Tests.Artifacts;

public class FileContentHashTests
{
    [Fact]
    public void Is_the_lowercase_hex_SHA256_of_the_file_bytes()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "abc");
            // FIPS 180-2 test vector for "abc".
            Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", FileContentHash.Sha256(path));
        }
        finally { File.Delete(path); }
    }
}
