using System.CommandLine;
using Llama.Core.Checkpoints;
using Llama.Core.Config;
using Llama.Core.Tokenization;
using Llama.Platform.Artifacts;
using Llama.Platform.Metadata;

namespace Llama.Cli.Commands;

/// <summary>Runs the parsed command and turns the library's typed errors into one clear line and exit code 1.</summary>
internal static class CliRunner
{
    public static async Task<int> InvokeAsync(RootCommand root, string[] args)
    {
        try
        {
            // Our own handler below prints typed errors as one line; anything else still surfaces with its stack.
            return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (IsUserError(e))
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    private static bool IsUserError(Exception e) => e is ArgumentException or LlamaConfigException
        or CheckpointException or NotSupportedException or TokenizerFormatException or FileNotFoundException or DirectoryNotFoundException
        or InvalidOperationException or IOException
        or MetadataStoreUnavailableException or MetadataRecordNotFoundException or AmbiguousArtifactIdException
        or Llama.Evaluation.Tasks.TaskFileException or Llama.Evaluation.Tasks.UnknownTaskException
        or Llama.Evaluation.Running.ModelLoadException or Llama.Evaluation.Sandbox.SandboxUnavailableException
        or Llama.Interop.Gguf.GgufExportException or Llama.Interop.Gguf.GgufFormatException;
}
