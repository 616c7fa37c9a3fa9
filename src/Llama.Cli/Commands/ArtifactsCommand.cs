using System.CommandLine;
using System.Globalization;
using Llama.Platform.Artifacts;
using Llama.Platform.Metadata;

namespace Llama.Cli.Commands;

/// <summary><c>llama artifacts list|show|lineage</c>: what the stages made, and what each was made from.</summary>
internal static class ArtifactsCommand
{
    public static Command Create() => new("artifacts", "Artifacts recorded in the metadata database") { List(), Show(), Lineage() };

    private static Command List()
    {
        var platform = new PlatformOptions();
        var kind = new Option<string?>("--kind") { Description = "Only artifacts of this kind (dataset, checkpoint, tokenizer, ...)" };
        var limit = new Option<int>("--limit") { Description = "Most artifacts to list", DefaultValueFactory = _ => 50 };
        var command = new Command("list", "List artifacts, newest first") { kind, limit };
        platform.AddTo(command);
        command.SetAction(async (parse, cancellation) =>
        {
            if (parse.GetValue(limit) <= 0) throw new ArgumentException("--limit must be positive");
            var store = await platform.OpenForReadingAsync(parse, cancellation);
            if (store is null) return 0;
            var artifacts = await new ArtifactRegistry(store).ListAsync(parse.GetValue(kind), parse.GetValue(limit), cancellation);
            Console.WriteLine($"{"ID",-36}  {"KIND",-12} {"SIZE",10}  {"CREATED (UTC)",-19}  NAME");
            foreach (var a in artifacts)
                Console.WriteLine($"{a.Id,-36}  {a.Kind,-12} {Bytes(a.SizeBytes),10}  {a.CreatedAt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),-19}  {a.Name}");
            Console.Error.WriteLine($"{artifacts.Count} artifact(s) in {store.Describe()}");
            return 0;
        });
        return command;
    }

    private static Command Show()
    {
        var platform = new PlatformOptions();
        var id = new Argument<string>("id") { Description = "Artifact id or an unambiguous prefix (at least 6 hex digits)" };
        var command = new Command("show", "Show one artifact with its parents and children") { id };
        platform.AddTo(command);
        command.SetAction(async (parse, cancellation) =>
        {
            var store = await RequireStoreAsync(platform, parse, cancellation);
            var registry = new ArtifactRegistry(store);
            var a = await registry.ResolveAsync(parse.GetValue(id)!, cancellation);
            Console.WriteLine($"id          {a.Id}");
            Console.WriteLine($"kind        {a.Kind}");
            Console.WriteLine($"name        {a.Name}");
            Console.WriteLine($"uri         {a.Uri}");
            Console.WriteLine($"size        {Bytes(a.SizeBytes)} ({a.SizeBytes.ToString("N0", CultureInfo.InvariantCulture)} bytes)");
            Console.WriteLine($"sha256      {a.Sha256}");
            Console.WriteLine($"created     {a.CreatedAt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC");
            Console.WriteLine($"made by run {(a.ProducedByRunId?.ToString() ?? "-")}");
            if (!string.IsNullOrEmpty(a.MetadataJson)) Console.WriteLine($"metadata    {a.MetadataJson}");
            foreach (var p in await registry.ParentsAsync(a.Id, cancellation))
                Console.WriteLine($"parent      {p.Artifact.Id}  {p.Relation,-14} {p.Artifact.Kind,-12} {p.Artifact.Name}");
            foreach (var c in await registry.ChildrenAsync(a.Id, cancellation))
                Console.WriteLine($"child       {c.Artifact.Id}  {c.Relation,-14} {c.Artifact.Kind,-12} {c.Artifact.Name}");
            return 0;
        });
        return command;
    }

    private static Command Lineage()
    {
        var platform = new PlatformOptions();
        var id = new Argument<string>("id") { Description = "Artifact id or an unambiguous prefix" };
        var down = new Option<bool>("--down") { Description = "Walk to what was made from it (default: what it was made from)" };
        var depth = new Option<int?>("--depth") { Description = "Most edges to follow (default: all)" };
        var command = new Command("lineage", "Print the lineage graph of an artifact") { id, down, depth };
        platform.AddTo(command);
        command.SetAction(async (parse, cancellation) =>
        {
            if (parse.GetValue(depth) is < 0) throw new ArgumentException("--depth must be >= 0");
            var store = await RequireStoreAsync(platform, parse, cancellation);
            var registry = new ArtifactRegistry(store);
            var root = await registry.ResolveAsync(parse.GetValue(id)!, cancellation);
            var direction = parse.GetValue(down) ? LineageDirection.Down : LineageDirection.Up;
            var graph = await registry.LineageAsync(root.Id, direction, parse.GetValue(depth) ?? int.MaxValue, cancellation);
            foreach (var line in LineageTree.Render(graph)) Console.WriteLine(line);
            return 0;
        });
        return command;
    }

    private static async Task<MetadataStore> RequireStoreAsync(PlatformOptions platform, ParseResult parse, CancellationToken cancellation) =>
        await platform.OpenForReadingAsync(parse, cancellation)
        ?? throw new ArgumentException("no artifacts are recorded yet, so no id can match");

    internal static string Bytes(long n) => n switch
    {
        >= 1L << 30 => $"{n / (double)(1L << 30):0.0} GiB",
        >= 1L << 20 => $"{n / (double)(1L << 20):0.0} MiB",
        >= 1L << 10 => $"{n / 1024.0:0.0} KiB",
        _ => $"{n} B",
    };
}

/// <summary>Draws a lineage graph as an indented tree; a node reached again is marked instead of repeated.</summary>
internal static class LineageTree
{
    public static IEnumerable<string> Render(ArtifactLineage graph)
    {
        var nodes = graph.Nodes.ToDictionary(n => n.Artifact.Id, n => n.Artifact);
        var next = graph.Edges.ToLookup(e => graph.Direction == LineageDirection.Up ? e.ChildId : e.ParentId);
        var shown = new HashSet<Guid>();
        var lines = new List<string>();
        void Walk(Guid id, string indent, string? relation)
        {
            var a = nodes[id];
            string label = $"{a.Kind} {a.Name} [{a.Id.ToString()[..8]}]" + (relation is null ? "" : $" ({relation})");
            if (!shown.Add(id)) { lines.Add($"{indent}{label} (see above)"); return; }
            lines.Add(indent + label);
            foreach (var edge in next[id])
            {
                var other = graph.Direction == LineageDirection.Up ? edge.ParentId : edge.ChildId;
                if (nodes.ContainsKey(other)) Walk(other, indent + "  ", edge.Relation);
            }
        }
        Walk(graph.RootId, "", null);
        return lines;
    }
}
