using Llama.Platform.Metadata;
using Llama.Platform.Storage;
using Microsoft.Extensions.Configuration;

namespace Llama.Platform.Tests;

public class PlatformSettingsTests
{
    private static PlatformSettings From(params (string Key, string Value)[] values) =>
        PlatformSettings.FromConfiguration(new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build());

    [Fact]
    public void The_default_is_the_embedded_folder()
    {
        var settings = From();
        Assert.Equal(MetadataProvider.Sqlite, settings.Metadata.Provider);
        Assert.Equal("Data Source=" + Path.Combine(".llama", "metadata.db"), settings.Metadata.ConnectionString);
        Assert.IsType<LocalFolderObjectStore>(settings.CreateObjectStore());
    }

    [Fact]
    public void An_npgsql_connection_string_selects_postgres_and_aspire_names_win()
    {
        var settings = From(("LLAMA_METADATA", "Data Source=other.db"), ("ConnectionStrings:metadata", "Host=db;Port=5432;Database=llama;Username=u"));
        Assert.Equal(MetadataProvider.Postgres, settings.Metadata.Provider);
        Assert.Contains("db:5432", new MetadataStore(settings.Metadata).Describe());
    }

    [Fact]
    public void An_s3_uri_selects_the_s3_store_with_bucket_and_prefix()
    {
        var settings = From(("LLAMA_OBJECT_STORE", "s3://llama/objects/v1"), ("LLAMA_S3_ENDPOINT", "http://127.0.0.1:9000"),
            ("AWS_ACCESS_KEY_ID", "key"), ("AWS_SECRET_ACCESS_KEY", "topsecret"));
        using var store = Assert.IsType<S3ObjectStore>(settings.CreateObjectStore());
        string description = store.Describe();
        Assert.Contains("llama", description);
        Assert.Contains("objects/v1", description);
        Assert.DoesNotContain("topsecret", description);
    }

    [Fact]
    public void A_connection_string_of_neither_kind_is_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => From(("LLAMA_METADATA", "mysql://somewhere")));
        Assert.Contains("neither a SQLite file", error.Message);
    }
}
