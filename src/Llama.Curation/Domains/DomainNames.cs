namespace Llama.Curation.Domains;

/// <summary>The paper's data-mix categories (section 3.1.2): general knowledge, math and reasoning, code, multilingual.</summary>
public static class DomainNames
{
    public const string General = "general";
    public const string Math = "math";
    public const string Code = "code";
    public const string Multilingual = "multilingual";
}
