using Llama.Platform.Metadata;

namespace Llama.Pretraining.Checkpointing;

/// <summary>A training checkpoint as the platform knows it once published: its artifact and its row in the run's checkpoints.</summary>
public sealed record PublishedCheckpoint(Artifact Artifact, Checkpoint Checkpoint);
