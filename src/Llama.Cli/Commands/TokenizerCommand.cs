using System.CommandLine;
using System.Diagnostics;
using Llama.Core.Tokenization;

namespace Llama.Cli.Commands;

/// <summary><c>llama tokenizer train|encode|decode</c>: the byte-level BPE trainer and the tokenizer files it writes.</summary>
internal static class TokenizerCommand
{
    public static Command Create() => new("tokenizer", "Train, and use, a Llama 3 style byte-level BPE tokenizer")
    {
        Train(), Encode(), Decode(),
    };

    private static Command Train()
    {
        var inputs = new Argument<string[]>("inputs") { Description = "Text files, .jsonl files (field \"text\") or folders", Arity = ArgumentArity.OneOrMore };
        var vocab = new Option<int>("--vocab-size") { Description = "Base vocabulary (256 Llama 3 special tokens are added on top)", DefaultValueFactory = _ => 8192 };
        var output = new Option<string>("--output") { Description = "Folder for tokenizer.model, tokenizer.json and tokenizer_config.json", Required = true };
        var command = new Command("train", "Learn a byte-level BPE vocabulary with the Llama 3 pre-tokenizer") { inputs, vocab, output };
        command.SetAction(parse =>
        {
            var files = TrainingTextFiles.Expand(parse.GetValue(inputs)!);
            var options = new BpeTrainerOptions(parse.GetValue(vocab));
            var clock = Stopwatch.StartNew();
            var progress = new Progress<BpeTrainingProgress>(p => Console.Error.Write($"\r{p}   "));
            var tokenizer = BpeTrainer.TrainFromTexts(TrainingTextFiles.ReadDocuments(files), options, progress);
            Console.Error.WriteLine();
            string directory = parse.GetValue(output)!;
            tokenizer.Save(directory);
            Console.WriteLine($"trained {tokenizer.BaseVocabSize} ranks + {tokenizer.SpecialTokens.Count} special tokens from {files.Count} file(s) in {clock.Elapsed.TotalSeconds:0.0} s -> {directory}");
            return 0;
        });
        return command;
    }

    private static Command Encode()
    {
        var tokenizer = new Option<string>("--tokenizer") { Description = "Folder (or model folder) with tokenizer.model or tokenizer.json", Required = true };
        var text = new Argument<string>("text");
        var bos = new Option<bool>("--bos") { Description = "Start with <|begin_of_text|>" };
        var command = new Command("encode", "Print the token ids of a text") { tokenizer, text, bos };
        command.SetAction(parse =>
        {
            var t = Llama3Tokenizer.FromDirectory(parse.GetValue(tokenizer)!);
            Console.WriteLine(string.Join(",", t.Encode(parse.GetValue(text)!, bos: parse.GetValue(bos))));
            return 0;
        });
        return command;
    }

    private static Command Decode()
    {
        var tokenizer = new Option<string>("--tokenizer") { Description = "Folder (or model folder) with tokenizer.model or tokenizer.json", Required = true };
        var ids = new Argument<string>("ids") { Description = "Comma-separated token ids" };
        var command = new Command("decode", "Print the text of token ids") { tokenizer, ids };
        command.SetAction(parse =>
        {
            var t = Llama3Tokenizer.FromDirectory(parse.GetValue(tokenizer)!);
            var parsed = parse.GetValue(ids)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(s => int.TryParse(s, out int id) && id >= 0 && id < t.VocabSize ? id : throw new ArgumentException($"'{s}' is not a token id in [0, {t.VocabSize})"));
            Console.WriteLine(t.Decode(parsed));
            return 0;
        });
        return command;
    }
}
