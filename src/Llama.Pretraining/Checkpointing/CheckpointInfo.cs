namespace Llama.Pretraining.Checkpointing;

/// <summary>A complete training checkpoint on disk.</summary>
/// <param name="Path">Full path of its folder (<c>.../step-00000100</c>).</param>
/// <param name="Step">The optimizer step it was saved after.</param>
/// <param name="Bytes">Total size of the files in the folder.</param>
public sealed record CheckpointInfo(string Path, long Step, long Bytes);
