using Llama.Pretraining.Data;

namespace Llama.Pretraining.Tests.Data;

/// <summary>In-memory documents for sampler tests (the shard reading has its own tests).</summary>
internal static class SamplerData
{
    public const int Bos = 0;
    public const int Eos = 1;

    /// <summary>A document whose body counts up from <paramref name="first"/>, framed by BOS/EOS.</summary>
    public static TokenDocument Document(string id, string domain, int first, int bodyLength) =>
        new(id, domain, "test", "en", "memory", 0, [Bos, .. Enumerable.Range(first, bodyLength), Eos]);

    /// <summary>
    /// <paramref name="count"/> documents of <paramref name="domain"/>, lengths varying around
    /// <paramref name="meanBody"/>; each body starts with a token unique to the document, so it can be recognized.
    /// </summary>
    public static IEnumerable<TokenDocument> Domain(string domain, int count, int meanBody, int firstToken) =>
        Enumerable.Range(0, count).Select(i => Document($"{domain}-{i}", domain, firstToken + i * 1000, meanBody / 2 + i * 7 % meanBody + 1));

    public static TokenDataSplit TrainingOnly(IEnumerable<TokenDocument> documents) => new([.. documents], []);

    /// <summary>Four domains with very different document lengths, so token shares differ from document shares.</summary>
    public static TokenDataSplit FourDomains() => TrainingOnly([
        .. Domain("general", 40, 12, 10_000), .. Domain("code", 15, 60, 100_000),
        .. Domain("math", 25, 25, 200_000), .. Domain("multilingual", 30, 18, 300_000)]);
}
