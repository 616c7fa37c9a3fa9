using System.Text;

namespace Llama.Curation.Tests.Quality;

/// <summary>
/// Generates the kinds of low-quality web text that quality classifiers are meant to remove: navigation menus,
/// keyword spam, cookie/copyright boilerplate, mojibake and number tables. Seeded, so sets are reproducible.
/// </summary>
internal static class LowQualityTextGenerator
{
    private static readonly string[] MenuItems =
        ["Home", "About Us", "Contact", "Login", "Sign up", "Products", "Services", "Blog", "FAQ", "Careers", "Shop",
         "Cart", "My Account", "Support", "News", "Events", "Gallery", "Downloads", "Pricing", "Partners", "Sitemap"];

    private static readonly string[] SpamWords =
        ["cheap", "best", "price", "buy", "now", "online", "free", "shipping", "discount", "deal", "casino", "bonus",
         "win", "pills", "loans", "fast", "cash", "click", "here", "offer", "limited", "top", "rated", "sale", "2024"];

    private static readonly string[] Boilerplate =
        ["Copyright © {0} All rights reserved.", "Privacy Policy | Terms of Use | Cookie Settings",
         "We use cookies to improve your experience. Accept all cookies?", "Powered by WordPress",
         "Share on Facebook | Tweet | Pin it", "Subscribe to our newsletter", "Back to top ↑", "Read more »",
         "Posted by admin on {0}", "Tags: news, update, {0}", "Page {0} of 12 « Previous Next »"];

    public static IEnumerable<string> Generate(int count, int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            yield return (i % 5) switch
            {
                0 => Menu(random),
                1 => Spam(random),
                2 => BoilerplateBlock(random),
                3 => Mojibake(random),
                _ => NumberTable(random),
            };
        }
    }

    private static string Menu(Random random) =>
        string.Join("\n", Enumerable.Range(0, random.Next(6, 16)).Select(_ => MenuItems[random.Next(MenuItems.Length)]));

    private static string Spam(Random random) =>
        string.Join(" ", Enumerable.Range(0, random.Next(25, 60)).Select(_ => SpamWords[random.Next(SpamWords.Length)]))
        + (random.Next(2) == 0 ? "!!!" : " >>> CLICK HERE");

    private static string BoilerplateBlock(Random random) =>
        string.Join("\n", Enumerable.Range(0, random.Next(3, 8))
            .Select(_ => string.Format(Boilerplate[random.Next(Boilerplate.Length)], 2000 + random.Next(25))));

    private static string Mojibake(Random random)
    {
        const string garble = "Ã©Ã¨Ã¢â€™â€œâ€Â Ã¼Ã¶ï¿½#@%&*{}[]<>~^";
        var builder = new StringBuilder();
        for (var i = 0; i < random.Next(150, 400); i++)
            builder.Append(random.Next(4) == 0 ? ' ' : garble[random.Next(garble.Length)]);
        return builder.ToString();
    }

    private static string NumberTable(Random random) =>
        string.Join("\n", Enumerable.Range(0, random.Next(5, 15)).Select(_ =>
            string.Join(" | ", Enumerable.Range(0, random.Next(3, 7)).Select(_ => (random.NextDouble() * 1000).ToString("F2")))));
}
