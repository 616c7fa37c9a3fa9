using Llama.Core.Model;
using Llama.Pretraining.Data;
using Llama.Core.Training;
using Llama.Pretraining.Optimization;
using Llama.Pretraining.Parallel.ProcessGroups;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Llama.Pretraining.Parallel;

/// <summary>
/// An unmodified <see cref="LlamaModel"/> with 4D parallelism applied from outside (torchtitan's
/// <c>parallelize_llama</c>): tensor parallelism shards its weights and hooks collectives into it, pipeline
/// parallelism keeps this stage's layers (the others' parameters are released), context parallelism installs
/// the key/value all-gather, and data parallelism shards (or replicates) what is left over DP x CP. Every rank
/// builds the same full model from the same seed and then keeps its part; at a real scale one would build on the
/// meta device and load shards instead.
/// </summary>
public sealed class ParallelLlama : IDisposable
{
    private readonly LlamaModel _model;
    private readonly DeviceMesh _mesh;
    private readonly ContextParallel _context;
    private readonly int _firstLayer, _layerCount;
    private readonly Dictionary<string, long[]> _fullShapes;

    public ParallelLlama(LlamaModel model, DeviceMesh mesh)
    {
        mesh.Dimensions.Validate(mesh.World.Size, model.Config);
        _model = model;
        _mesh = mesh;
        _fullShapes = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.shape);
        _layerCount = model.Config.NumHiddenLayers / mesh.Dimensions.Pp;
        _firstLayer = mesh.PpRank * _layerCount;

        TensorParallel.Apply(model, mesh.Tp);
        _context = new ContextParallel(mesh.Cp);
        _context.Apply(model);
        var owned = new List<(string, Parameter)>();
        using (no_grad())
        {
            foreach (var (name, parameter) in model.named_parameters())
            {
                if (OwnedByThisStage(name)) owned.Add((name, parameter));
                else parameter.set_(empty(0, parameter.dtype, parameter.device)); // another stage's: release its memory
            }
        }
        Parameters = owned;
        Data = new DataParallel(owned, mesh.DpCp, mesh.Dimensions.ShardedDataParallel);
    }

    public LlamaModel Model => _model;
    public DeviceMesh Mesh => _mesh;

    /// <summary>This stage's parameters as the model holds them (TP-sharded, full over DP).</summary>
    public IReadOnlyList<(string Name, Parameter Param)> Parameters { get; }

    public DataParallel Data { get; }

    /// <summary>
    /// One optimizer step's forward and backward over the global batch [B, T] (every rank passes the same batch and
    /// takes its rows and sequence chunks). Returns the step's mean loss per predicted token, the same on every rank.
    /// Gradients end on the optimizer's parameters, summed over every rank that holds a copy.
    /// </summary>
    public double ForwardBackward(Tensor inputs, Tensor targets, Tensor documents, Tensor positions, long predictedTokens, int microBatchSequences)
    {
        var dims = _mesh.Dimensions;
        dims.ValidateBatch((int)inputs.shape[0], (int)inputs.shape[1], microBatchSequences);
        using var scope = NewDisposeScope();
        Data.GatherParameters();
        long rows = inputs.shape[0] / dims.Dp, first = rows * _mesh.DpRank;
        Tensor Local(Tensor t) => _context.Slice(t.narrow(0, first, rows));
        var (localInputs, localTargets, localPositions) = (Local(inputs), Local(targets), Local(positions));
        var mask = _context.Mask(documents.narrow(0, first, rows));
        double denominator = Math.Max(1, predictedTokens);

        var micro = new List<(long Start, long Rows)>();
        for (long s = 0; s < rows; s += microBatchSequences) micro.Add((s, Math.Min(microBatchSequences, rows - s))); // fewer rows than a micro-batch: one
        var stageInputs = new Tensor?[micro.Count];
        var stageOutputs = new Tensor[micro.Count];
        var sends = new List<PendingSend>();
        double lossSum = 0;

        void Forward(int m)
        {
            var (start, count) = micro[m];
            Tensor input;
            if (_mesh.IsFirstStage) input = localInputs.narrow(0, start, count);
            else
            {
                input = empty([count, localInputs.shape[1], _model.Config.HiddenSize], _model.DType, _model.Device);
                _mesh.Pp.Receive(input, _mesh.PpRank - 1, tag: 2 * m);
                input.requires_grad_(true);
                stageInputs[m] = input;
            }
            var output = StageForward(input, localPositions.narrow(0, start, count), mask.narrow(0, start, count));
            if (_mesh.IsLastStage)
            {
                var loss = TokenLosses(output, localTargets.narrow(0, start, count)).sum() / denominator;
                lossSum += loss.item<float>();
                stageOutputs[m] = loss;
            }
            else
            {
                stageOutputs[m] = output;
                sends.Add(_mesh.Pp.Send(output.detach().contiguous(), _mesh.PpRank + 1, tag: 2 * m));
            }
        }

        void Backward(int m)
        {
            if (_mesh.IsLastStage) stageOutputs[m].backward();
            else
            {
                var grad = empty_like(stageOutputs[m]);
                _mesh.Pp.Receive(grad, _mesh.PpRank + 1, tag: 2 * m + 1);
                stageOutputs[m].backward([grad]);
            }
            if (stageInputs[m] is { } input) sends.Add(_mesh.Pp.Send(input.grad!.contiguous(), _mesh.PpRank - 1, tag: 2 * m + 1));
        }

        foreach (var (isForward, m) in PipelineOrder.For(dims.Schedule, _mesh.PpRank, dims.Pp, micro.Count))
            if (isForward) Forward(m);
            else Backward(m);
        foreach (var send in sends) send.Wait();
        Data.ReduceGradients();

        // Only the last stage knows the loss; partial sums over DP and CP ranks add up to the step's loss.
        var total = tensor(new[] { _mesh.IsLastStage ? lossSum : 0.0 });
        _mesh.Pp.AllReduce(total);
        _mesh.DpCp.AllReduce(total);
        return total.item<double>();
    }

    /// <summary>
    /// The global L2 norm of the gradients of the whole model (every shard counted once), then clipping as
    /// <see cref="GradientClipping.ClipGlobalNorm"/> does; returns the norm before clipping.
    /// </summary>
    public double ClipGradients(double maxNorm)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var sumOfSquares = zeros(1, ScalarType.Float64);
        var optimized = Data.OptimizedParameters;
        for (int i = 0; i < optimized.Count; i++)
        {
            bool replicatedOverTp = TensorParallel.ShardDimension(Parameters[i].Name) is null;
            bool unique = Data.HoldsUniqueCopy && (!replicatedOverTp || _mesh.TpRank == 0);
            if (unique && optimized[i].Param.grad is { } g) sumOfSquares.add_(g.to(ScalarType.Float64).square().sum());
        }
        _mesh.World.AllReduce(sumOfSquares);
        double norm = Math.Sqrt(sumOfSquares.item<double>());
        if (!double.IsFinite(norm)) return norm;
        double scale = maxNorm / (norm + GradientClipping.NormEpsilon);
        if (scale < 1)
            foreach (var (_, p) in optimized)
                p.grad?.mul_(scale);
        return norm;
    }

    /// <summary>
    /// This rank's part of full AdamW moments (<c>exp_avg.NAME</c>, <c>exp_avg_sq.NAME</c>, as a checkpoint holds them),
    /// cut as the optimized parameters are cut: what <see cref="AdamW.LoadState"/> takes after a resume on any mesh.
    /// </summary>
    public Dictionary<string, Tensor> OptimizerStateFrom(IReadOnlyDictionary<string, Tensor> full)
    {
        var state = new Dictionary<string, Tensor>();
        foreach (var (name, _) in Parameters)
            foreach (var prefix in new[] { "exp_avg.", "exp_avg_sq." })
            {
                using var slice = TensorParallel.Slice(name, full[prefix + name], _mesh.Tp);
                state[prefix + name] = Data.ShardOf(slice.contiguous());
            }
        return state;
    }

    /// <summary>
    /// The full (unsharded) parameters of the whole model, assembled on world rank 0 (empty on the others);
    /// collective over the world.
    /// </summary>
    public Dictionary<string, Tensor> GatherFullModel()
    {
        using var noGrad = no_grad();
        Data.GatherParameters();
        var mine = new Dictionary<string, Tensor>();
        foreach (var (name, parameter) in Parameters)
        {
            if (TensorParallel.ShardDimension(name) is { } dim && _mesh.Tp.Size > 1)
            {
                using var stacked = _mesh.Tp.AllGather(parameter.detach().contiguous());
                mine[name] = cat(Enumerable.Range(0, _mesh.Tp.Size).Select(r => stacked[r]).ToArray(), dim);
            }
            else mine[name] = parameter.detach().clone();
        }
        var result = new Dictionary<string, Tensor>();
        if (_mesh.TpRank != 0 || _mesh.CpRank != 0 || _mesh.DpRank != 0)
        {
            foreach (var t in mine.Values) t.Dispose();
            return result;
        }
        // Stages send their parameters to stage 0 in name order.
        if (_mesh.PpRank != 0)
        {
            foreach (var name in mine.Keys.Order(StringComparer.Ordinal)) _mesh.Pp.Send(mine[name], 0, tag: 0).Wait();
            foreach (var t in mine.Values) t.Dispose();
            return result;
        }
        foreach (var (name, t) in mine) result[name] = t;
        for (int stage = 1; stage < _mesh.Dimensions.Pp; stage++)
        {
            foreach (var name in _fullShapes.Keys.Where(n => StageOf(n) == stage).Order(StringComparer.Ordinal))
            {
                var received = empty(_fullShapes[name], _model.DType);
                _mesh.Pp.Receive(received, stage, tag: 0);
                result[name] = received;
            }
        }
        return result;
    }

    /// <summary>This stage's part of the model: the embedding (first stage), its layers, the final norm and head (last stage).</summary>
    private Tensor StageForward(Tensor input, Tensor positions, Tensor mask)
    {
        var decoder = _model.Decoder;
        var (cos, sin) = decoder.Rotary.Angles(positions);
        var h = _mesh.IsFirstStage ? decoder.EmbedTokens.call(input) : input;
        for (int i = _firstLayer; i < _firstLayer + _layerCount; i++) h = decoder.Layers[i].Forward(h, cos, sin, mask, null);
        if (!_mesh.IsLastStage) return h;
        h = decoder.Norm.call(h);
        return _model.LmHead is { } head ? head.call(h) : nn.functional.linear(h, decoder.EmbedTokens.weight!);
    }

    /// <summary>Summed-per-token cross-entropy terms [N]: vocabulary-parallel under TP, torch's cross_entropy otherwise.</summary>
    private Tensor TokenLosses(Tensor logits, Tensor targets)
    {
        var flat = logits.reshape(-1, logits.shape[^1]).to(ScalarType.Float32);
        return _mesh.Tp.Size == 1
            ? nn.functional.cross_entropy(flat, targets.reshape(-1), ignore_index: Batch.IgnoreIndex, reduction: nn.Reduction.None)
            : VocabParallelCrossEntropy.PerToken(flat, targets.reshape(-1), TensorParallel.VocabStart(_model, _mesh.Tp), _mesh.Tp);
    }

    private bool OwnedByThisStage(string name) => StageOf(name) == _mesh.PpRank;

    /// <summary>The pipeline stage that holds a parameter: embedding on the first, norm and head on the last, layers by index.</summary>
    private int StageOf(string name)
    {
        if (name.StartsWith("model.embed_tokens")) return 0;
        if (name.StartsWith("model.norm") || name.StartsWith("lm_head")) return _mesh.Dimensions.Pp - 1;
        const string prefix = "model.layers.";
        if (name.StartsWith(prefix)) return int.Parse(name.AsSpan(prefix.Length, name.IndexOf('.', prefix.Length) - prefix.Length)) / _layerCount;
        throw new InvalidOperationException($"parameter '{name}' has no pipeline stage");
    }

    public void Dispose() => Data.Dispose();
}
