using System.Text.Json;
using Llama.Core.Tokenization;

namespace Llama.Core.Tests.Tokenization;

/// <summary>The fixture tokenizer and what tiktoken produced for it (fixtures/tokenizer/tiktoken_reference.json).</summary>
internal static class TokenizerReference
{
    public sealed record Case(string Text, int[] Ids);

    private sealed record ReferenceFile(string Pattern, int NumBaseTokens, Dictionary<string, int> SpecialTokens, Case[] Cases);

    private static readonly Lazy<ReferenceFile> File = new(() =>
        JsonSerializer.Deserialize<ReferenceFile>(
            System.IO.File.ReadAllText(Path.Combine(Fixtures.Tokenizer, "tiktoken_reference.json")),
            new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower })!);

    private static readonly Lazy<Llama3Tokenizer> Loaded = new(() => Llama3Tokenizer.Load(ModelPath));

    public static string ModelPath => Path.Combine(Fixtures.Tokenizer, "tokenizer.model");
    public static Llama3Tokenizer Tokenizer => Loaded.Value;
    public static string Pattern => File.Value.Pattern;
    public static int NumBaseTokens => File.Value.NumBaseTokens;
    public static IReadOnlyDictionary<string, int> SpecialTokens => File.Value.SpecialTokens;
    public static IReadOnlyList<Case> Cases => File.Value.Cases;

    public static TheoryData<int> CaseIndices()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < Cases.Count; i++) data.Add(i);
        return data;
    }
}
