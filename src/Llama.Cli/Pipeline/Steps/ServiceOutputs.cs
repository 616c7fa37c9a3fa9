namespace Llama.Cli.Pipeline.Steps;

internal static class ServiceOutputs
{
    /// <summary>The named outputs that the job produced (null ones left out), plus the job id.</summary>
    public static IReadOnlyDictionary<string, string> Of(ServiceJobOutcome job, params (string Name, string? Value)[] outputs)
    {
        var named = outputs.Where(o => o.Value is not null).ToDictionary(o => o.Name, o => o.Value!);
        named["job"] = job.JobId.ToString();
        return named;
    }
}
