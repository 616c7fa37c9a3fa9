using Llama.Alignment.Data;
using Llama.Alignment.Training;
using Llama.Core.Model;
using Llama.Core.Tokenization;
using static TorchSharp.torch;

namespace Llama.Alignment.Dpo;

/// <summary>
/// Pairs as model input: B chosen rows then B rejected rows (prompt + reply, right-padded), with next-token masks over
/// the reply: <see cref="ContentMask"/> leaves out special tokens (the eot that closes each reply; header tokens sit in
/// the prompt), <see cref="ReplyMask"/> keeps every reply token.
/// </summary>
internal sealed record PreferenceBatch(Tensor Ids, Tensor ContentMask, Tensor ReplyMask, int Pairs) : IDisposable
{
    public static PreferenceBatch Create(IReadOnlyList<EncodedPreference> pairs, Llama3Tokenizer tokenizer, Device device)
    {
        var rows = new List<int[]>();
        var content = new List<bool[]>();
        var reply = new List<bool[]>();
        foreach (var side in new[] { true, false })
            foreach (var p in pairs)
            {
                var response = side ? p.Chosen : p.Rejected;
                int[] row = [.. p.Prompt, .. response];
                rows.Add(row);
                reply.Add(row.Select((_, t) => t >= p.Prompt.Length).ToArray());
                content.Add(row.Select((id, t) => t >= p.Prompt.Length && !tokenizer.IsSpecial(id)).ToArray());
            }
        int width = rows.Max(r => r.Length);
        return new PreferenceBatch(SequenceBatch.RightPadded(rows, tokenizer.EotId, device),
            SequenceBatch.NextTokenMask(content, width, device), SequenceBatch.NextTokenMask(reply, width, device), pairs.Count);
    }

    /// <summary>Per-token log-probs [2B, T − 1] of the rows under <paramref name="model"/>.</summary>
    public Tensor LogProbs(LlamaModel model) => SequenceBatch.NextTokenLogProbs(model.Forward(Ids), Ids);

    public Tensor Chosen(Tensor perRow) => perRow.narrow(0, 0, Pairs);
    public Tensor Rejected(Tensor perRow) => perRow.narrow(0, Pairs, Pairs);

    public void Dispose()
    {
        Ids.Dispose();
        ContentMask.Dispose();
        ReplyMask.Dispose();
    }
}
