namespace Llama.Curation.Tests.Dedup;

/// <summary>Seeded word sequences: unrelated texts share almost no 5-grams, so similarities are what a test builds in.</summary>
internal static class SyntheticText
{
    private static readonly string[] Vocabulary = BuildVocabulary();

    public static string[] Words(int seed, int count)
    {
        var random = new Random(seed);
        var words = new string[count];
        for (var i = 0; i < count; i++) words[i] = Vocabulary[random.Next(Vocabulary.Length)];
        return words;
    }

    /// <summary>A copy of <paramref name="words"/> with the words at <paramref name="positions"/> replaced by new ones.</summary>
    public static string[] Edit(string[] words, IEnumerable<int> positions, int seed)
    {
        var random = new Random(seed);
        var edited = (string[])words.Clone();
        foreach (var position in positions) edited[position] = $"edit{random.Next(1_000_000)}";
        return edited;
    }

    public static string Join(string[] words) => string.Join(' ', words);

    // 2,000 pronounceable made-up words (consonant-vowel syllables), enough that random texts rarely share 5-grams.
    private static string[] BuildVocabulary()
    {
        const string consonants = "bcdfghjklmnprstvz";
        const string vowels = "aeiou";
        var random = new Random(20240601);
        var words = new HashSet<string>();
        while (words.Count < 2000)
        {
            var syllables = random.Next(1, 4);
            var word = new char[syllables * 2];
            for (var s = 0; s < syllables; s++)
            {
                word[2 * s] = consonants[random.Next(consonants.Length)];
                word[2 * s + 1] = vowels[random.Next(vowels.Length)];
            }
            words.Add(new string(word));
        }
        return [.. words.Order(StringComparer.Ordinal)];
    }
}
