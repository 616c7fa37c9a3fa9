using System.CommandLine;
using Llama.Cli.Commands;

// `llama`: one executable, one verb per stage. Each verb parses its flags and calls one library entry point.
var root = new RootCommand("llama: the Llama 3 lifecycle in .NET (model, tokenizer, generation, platform records; more stages to come)")
{
    InfoCommand.Create(),
    GenerateCommand.Create(),
    TokenizerCommand.Create(),
    BenchCommand.Create(),
    RunsCommand.Create(),
    ArtifactsCommand.Create(),
    CurateCommand.Create(),
    CurateCommand.CreateData(),
    PretrainCommand.Create(),
    AlignCommand.Create(), AlignCommand.CreateSft(), AlignCommand.CreateRewardModel(), AlignCommand.CreateRejectionSampling(), AlignCommand.CreateDpo(),
    EvalCommand.Create(),
    QuantizeCommand.Create(),
    PipelineCommand.Create(),
    ServiceCommand.Create(),
    ServeCommand.Create(),
    ExportCommand.Create(),
};
return await CliRunner.InvokeAsync(root, args);
