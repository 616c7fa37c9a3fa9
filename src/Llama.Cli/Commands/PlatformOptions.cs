using System.CommandLine;
using Llama.Platform;
using Llama.Platform.Metadata;
using Microsoft.Extensions.Configuration;

namespace Llama.Cli.Commands;

/// <summary>
/// Where the platform verbs find the metadata: the embedded <c>./.llama/</c> by default; <c>--home</c>,
/// <c>--metadata</c> or the environment (<c>LLAMA_HOME</c>, <c>LLAMA_METADATA</c>, <c>LLAMA_OBJECT_STORE</c>)
/// point elsewhere, e.g. at the PostgreSQL server the AppHost runs.
/// </summary>
internal sealed class PlatformOptions
{
    public Option<string?> Home { get; } = new("--home") { Description = "The embedded platform folder (default .llama, or LLAMA_HOME)" };
    public Option<string?> Metadata { get; } = new("--metadata") { Description = "Metadata connection string: 'Data Source=file.db' or 'Host=...;Database=...' (default: LLAMA_METADATA, else HOME/metadata.db)" };

    public void AddTo(Command command)
    {
        command.Options.Add(Home);
        command.Options.Add(Metadata);
    }

    public PlatformSettings Resolve(ParseResult parse)
    {
        var overrides = new Dictionary<string, string?>();
        if (parse.GetValue(Home) is { } home) overrides["Llama:Home"] = home;
        if (parse.GetValue(Metadata) is { } metadata) overrides["ConnectionStrings:metadata"] = metadata;
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().AddInMemoryCollection(overrides).Build();
        return PlatformSettings.FromConfiguration(configuration);
    }

    /// <summary>
    /// Opens the metadata store for reading. An embedded database that does not exist yet is not created by
    /// a read-only verb: null means "nothing recorded yet".
    /// </summary>
    public async Task<MetadataStore?> OpenForReadingAsync(ParseResult parse, CancellationToken cancellation)
    {
        var settings = Resolve(parse);
        var store = new MetadataStore(settings.Metadata);
        if (settings.Metadata.Provider == MetadataProvider.Sqlite && !File.Exists(SqlitePath(settings.Metadata)))
        {
            Console.Error.WriteLine($"nothing recorded yet: {store.Describe()} does not exist");
            return null;
        }
        await store.MigrateAsync(cancellation);
        return store;
    }

    private static string SqlitePath(MetadataStoreOptions options) =>
        new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(options.ConnectionString).DataSource;
}
