namespace Llama.Pretraining.Data;

/// <summary>How many documents to hold out for validation.</summary>
/// <param name="Fraction">Share of documents held out, chosen by a hash of the document id (default 1%).</param>
/// <param name="MinimumDocuments">Documents held out at least, so a tiny corpus still gets a validation loss.</param>
public sealed record ValidationSplitOptions(double Fraction = 0.01, int MinimumDocuments = 1);
