using System.CommandLine;
using Llama.Curation.Output;
using Llama.Platform.Configuration;
using Llama.Curation.Pipeline;

namespace Llama.Cli.Commands;

/// <summary>
/// <c>llama curate --input PATH... --output DIR [--config FILE]</c> (contract) and <c>llama data export DIR
/// --format jsonl --out FILE</c>: the curation stage from raw files to tokenized Parquet shards, recorded on the platform.
/// </summary>
internal static class CurateCommand
{
    public static Command Create()
    {
        var platform = new PlatformOptions();
        var inputs = new Option<string[]>("--input") { Description = "Input files or folders (text, HTML, JSONL, Parquet); repeatable", Required = true, AllowMultipleArgumentsPerToken = true };
        var output = new Option<string>("--output") { Description = "Output folder: documents/, tokens/, tokenizer/, report.md, report.json", Required = true };
        var config = new Option<string?>("--config") { Description = "Curation config JSON (stage options, skip list, tokenizer); `llama curate --print-config` shows the defaults" };
        var name = new Option<string?>("--name") { Description = "Run and dataset name (default: the output folder's name)" };
        var noRecord = new Option<bool>("--no-record") { Description = "Do not record the run, its inputs and outputs in the metadata database and object store" };
        var set = new Option<string[]>("--set") { Description = "Override one config value by its JSON path, e.g. --set minHash.bands=20 (repeatable)" };
        var command = new Command("curate", "Curate raw text into tokenized Parquet shards (the Llama 3 data pipeline)") { inputs, output, config, name, noRecord, set };
        platform.AddTo(command);
        command.SetAction(async (parse, cancellation) =>
        {
            var settings = parse.GetValue(noRecord) ? null : platform.Resolve(parse);
            var curationConfig = parse.GetValue(config) is { } path ? CurationConfig.Load(path) : new CurationConfig();
            curationConfig = JsonOverrides.Apply(curationConfig, parse.GetValue(set) ?? [], CurationConfig.Json);
            var request = new CurationRequest(parse.GetValue(inputs)!, parse.GetValue(output)!, curationConfig, parse.GetValue(name));
            var progress = new ConsoleProgressLine();
            var outcome = await CurationRunner.RunAsync(request, settings, new Progress<CurationProgress>(p => progress.Show(p.Fraction, p.ToString())), cancellation);
            progress.Done();
            var r = outcome.Report;
            Console.WriteLine($"curated {r.Ingest.DocumentsIn:N0} documents into {r.Output.Documents:N0} ({r.Output.Tokens:N0} tokens) in {r.Seconds:0.0} s");
            Console.WriteLine($"report: {Path.Combine(request.Output, "report.md")}");
            if (outcome.DatasetArtifactId is { } dataset) Console.WriteLine($"dataset artifact {dataset} (run {outcome.RunId})");
            return 0;
        });
        var printConfig = new Command("print-config", "Print the default curation config (every stage option) as JSON");
        printConfig.SetAction(_ => { Console.WriteLine(new CurationConfig().ToJson()); return 0; });
        command.Subcommands.Add(printConfig);
        return command;
    }

    public static Command CreateData()
    {
        var folder = new Argument<string>("dir") { Description = "A curated output folder (from llama curate)" };
        var format = new Option<string>("--format") { Description = "Output format: jsonl", DefaultValueFactory = _ => "jsonl" };
        var output = new Option<string>("--out") { Description = "File to write", Required = true };
        var export = new Command("export", "Write a curated folder's documents as one JSON object per line (id, text, lang, domain, source)") { folder, format, output };
        export.SetAction(async (parse, cancellation) =>
        {
            long n = await CuratedDataExport.ExportAsync(parse.GetValue(folder)!, parse.GetValue(format)!, parse.GetValue(output)!, cancellation);
            Console.WriteLine($"wrote {n:N0} documents to {parse.GetValue(output)}");
            return 0;
        });
        return new Command("data", "Curated data") { export };
    }
}
