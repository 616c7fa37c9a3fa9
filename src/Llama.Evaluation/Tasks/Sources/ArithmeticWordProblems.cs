namespace Llama.Evaluation.Tasks.Sources;

/// <summary>
/// Generated grade-school word problems with worked answers in GSM8K's form (steps, then <c>#### N</c>): fresh
/// numbers from a seed, so no training text can contain them. Four templates of two or three steps. The few-shot
/// pool comes from another seed, disjoint from the scored items.
/// </summary>
internal static class ArithmeticWordProblems
{
    private static readonly string[] Names = ["Ava", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Keiko", "Liam"];
    private static readonly string[] Items = ["apple", "marble", "sticker", "pencil", "card", "shell", "stamp", "cookie"];

    public static TaskDocuments Load(TaskSource source) =>
        new(Generate(source.Count, source.Seed, "arith"), Generate(Math.Max(8, source.Count / 10), source.Seed + 7919, "arith-fewshot"));

    public static List<EvalDocument> Generate(int count, int seed, string idPrefix)
    {
        var random = new Random(seed);
        var documents = new List<EvalDocument>(count);
        for (int i = 0; i < count; i++)
        {
            var (question, answer, target) = (i % 4) switch
            {
                0 => Packs(random),
                1 => Wages(random),
                2 => Boxes(random),
                _ => Pages(random),
            };
            documents.Add(new EvalDocument($"{idPrefix}:{i:0000}", new Dictionary<string, object>
            {
                ["question"] = question, ["answer"] = $"{answer}\n#### {target}", ["target"] = target.ToString(System.Globalization.CultureInfo.InvariantCulture),
            }));
        }
        return documents;
    }

    private static (string, string, long) Packs(Random r)
    {
        string name = Pick(r, Names), item = Pick(r, Items);
        int a = r.Next(2, 30), b = r.Next(2, 9), c = r.Next(2, 13);
        long bought = b * c, total = a + bought;
        return ($"{name} has {a} {item}s. {name} buys {b} packs with {c} {item}s in each pack. How many {item}s does {name} have now?",
            $"{name} buys {b} * {c} = {bought} {item}s. {name} now has {a} + {bought} = {total} {item}s.", total);
    }

    private static (string, string, long) Wages(Random r)
    {
        string name = Pick(r, Names);
        int rate = r.Next(8, 26), hours = r.Next(2, 9), days = r.Next(2, 7);
        long daily = rate * hours, earned = daily * days;
        int spent = r.Next(1, (int)earned);
        long left = earned - spent;
        return ($"{name} earns ${rate} per hour and works {hours} hours a day for {days} days, then spends ${spent}. How many dollars does {name} have left?",
            $"Each day {name} earns {rate} * {hours} = {daily} dollars. In {days} days that is {daily} * {days} = {earned} dollars. After spending, {earned} - {spent} = {left} dollars are left.", left);
    }

    private static (string, string, long) Boxes(Random r)
    {
        string name = Pick(r, Names), item = Pick(r, Items);
        int perBox = r.Next(3, 13), boxes = r.Next(2, 11), given = r.Next(1, 20);
        long kept = perBox * boxes, had = kept + given;
        return ($"A box holds {perBox} {item}s. {name} has {had} {item}s and gives {given} of them away. How many boxes can {name} fill with the rest?",
            $"{name} keeps {had} - {given} = {kept} {item}s. That fills {kept} / {perBox} = {boxes} boxes.", boxes);
    }

    private static (string, string, long) Pages(Random r)
    {
        string name = Pick(r, Names);
        int monday = r.Next(5, 40);
        long tuesday = 2 * monday, read = monday + tuesday;
        long book = read + r.Next(10, 200), left = book - read;
        return ($"{name} reads {monday} pages on Monday and twice as many on Tuesday. The book has {book} pages. How many pages are left to read?",
            $"On Tuesday {name} reads 2 * {monday} = {tuesday} pages. In total {monday} + {tuesday} = {read} pages. {book} - {read} = {left} pages are left.", left);
    }

    private static string Pick(Random r, string[] options) => options[r.Next(options.Length)];
}
