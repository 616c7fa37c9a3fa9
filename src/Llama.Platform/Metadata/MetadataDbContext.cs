using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Llama.Platform.Metadata;

/// <summary>
/// The one metadata model, shared by PostgreSQL and SQLite. Each provider has a thin subclass
/// (<see cref="PostgresMetadataDbContext"/>, <see cref="SqliteMetadataDbContext"/>) only because EF Core
/// migrations are provider-specific; the entities and their mapping live here once.
/// </summary>
public abstract class MetadataDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<Artifact> Artifacts => Set<Artifact>();
    public DbSet<ArtifactEdge> ArtifactEdges => Set<ArtifactEdge>();
    public DbSet<Run> Runs => Set<Run>();
    public DbSet<RunInput> RunInputs => Set<RunInput>();
    public DbSet<Dataset> Datasets => Set<Dataset>();
    public DbSet<Shard> Shards => Set<Shard>();
    public DbSet<Checkpoint> Checkpoints => Set<Checkpoint>();
    public DbSet<Metric> Metrics => Set<Metric>();
    public DbSet<EvalResult> EvalResults => Set<EvalResult>();
    public DbSet<Job> Jobs => Set<Job>();

    protected override void OnModelCreating(ModelBuilder b)
    {
        b.Entity<Artifact>(e =>
        {
            e.ToTable("artifacts");
            e.Property(a => a.Kind).HasMaxLength(64);
            e.Property(a => a.Name).HasMaxLength(512);
            e.Property(a => a.Uri).HasMaxLength(2048);
            e.Property(a => a.Sha256).HasMaxLength(64);
            e.HasIndex(a => a.Kind);
            e.HasIndex(a => a.CreatedAt);
            e.HasOne(a => a.ProducedByRun).WithMany().HasForeignKey(a => a.ProducedByRunId).OnDelete(DeleteBehavior.SetNull);
        });
        b.Entity<ArtifactEdge>(e =>
        {
            e.ToTable("artifact_edges");
            e.HasKey(x => new { x.ParentId, x.ChildId });
            e.Property(x => x.Relation).HasMaxLength(64);
            e.HasOne(x => x.Parent).WithMany().HasForeignKey(x => x.ParentId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne(x => x.Child).WithMany().HasForeignKey(x => x.ChildId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(x => x.ChildId);
        });
        b.Entity<Run>(e =>
        {
            e.ToTable("runs");
            e.Property(r => r.Kind).HasMaxLength(64);
            e.Property(r => r.Status).HasConversion<string>().HasMaxLength(16);
            e.HasIndex(r => new { r.Kind, r.CreatedAt });
        });
        b.Entity<RunInput>(e =>
        {
            e.ToTable("run_inputs");
            e.HasKey(x => new { x.RunId, x.ArtifactId });
            e.HasOne(x => x.Run).WithMany(r => r.Inputs).HasForeignKey(x => x.RunId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne(x => x.Artifact).WithMany().HasForeignKey(x => x.ArtifactId).OnDelete(DeleteBehavior.Restrict);
        });
        b.Entity<Dataset>(e =>
        {
            e.ToTable("datasets");
            e.HasIndex(d => d.Name);
            e.HasOne(d => d.Artifact).WithMany().HasForeignKey(d => d.ArtifactId).OnDelete(DeleteBehavior.SetNull);
        });
        b.Entity<Shard>(e =>
        {
            e.ToTable("shards");
            e.HasIndex(s => new { s.DatasetId, s.Index }).IsUnique();
            e.HasOne(s => s.Dataset).WithMany(d => d.Shards).HasForeignKey(s => s.DatasetId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne(s => s.Artifact).WithMany().HasForeignKey(s => s.ArtifactId).OnDelete(DeleteBehavior.Restrict);
        });
        b.Entity<Checkpoint>(e =>
        {
            e.ToTable("checkpoints");
            e.HasIndex(c => new { c.RunId, c.Step });
            e.HasOne(c => c.Run).WithMany().HasForeignKey(c => c.RunId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne(c => c.Artifact).WithMany().HasForeignKey(c => c.ArtifactId).OnDelete(DeleteBehavior.Restrict);
        });
        b.Entity<Metric>(e =>
        {
            e.ToTable("metrics");
            e.Property(m => m.Name).HasMaxLength(128);
            e.HasIndex(m => new { m.RunId, m.Name, m.Step });
            e.HasOne(m => m.Run).WithMany().HasForeignKey(m => m.RunId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<EvalResult>(e =>
        {
            e.ToTable("eval_results");
            e.HasIndex(r => new { r.ModelArtifactId, r.Task });
            e.HasOne(r => r.Run).WithMany().HasForeignKey(r => r.RunId).OnDelete(DeleteBehavior.SetNull);
            e.HasOne(r => r.ModelArtifact).WithMany().HasForeignKey(r => r.ModelArtifactId).OnDelete(DeleteBehavior.Restrict);
        });
        b.Entity<Job>(e =>
        {
            e.ToTable("jobs");
            e.Property(j => j.Queue).HasMaxLength(128);
            e.Property(j => j.Kind).HasMaxLength(128);
            e.Property(j => j.LeaseOwner).HasMaxLength(256);
            // version-traceid-spanid-flags is 55 characters; room for a future version's longer form.
            e.Property(j => j.TraceParent).HasMaxLength(128);
            e.Property(j => j.State).HasConversion<string>().HasMaxLength(16);
            // Workers look for the oldest queued job of a queue, or a running one whose lease lapsed.
            e.HasIndex(j => new { j.Queue, j.State, j.Priority, j.CreatedAt });
            e.HasIndex(j => j.LeaseExpiresAt);
        });
    }
}

/// <summary>The PostgreSQL flavour (migrations in Metadata/Migrations/Postgres).</summary>
public sealed class PostgresMetadataDbContext(DbContextOptions<PostgresMetadataDbContext> options) : MetadataDbContext(options);

/// <summary>The SQLite flavour, the embedded default (migrations in Metadata/Migrations/Sqlite).</summary>
public sealed class SqliteMetadataDbContext(DbContextOptions<SqliteMetadataDbContext> options) : MetadataDbContext(options)
{
    // SQLite keeps times as text without a zone, so they read back as DateTimeKind.Unspecified; every time here is
    // written as UTC, so say so on the way back and callers see the same DateTime as from PostgreSQL's timestamptz.
    protected override void ConfigureConventions(ModelConfigurationBuilder configuration)
    {
        configuration.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configuration.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>();
    }

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        value => value, value => DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
