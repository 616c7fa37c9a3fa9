#!/usr/bin/env bash
# The GPU check: runs on a CUDA machine that has PyTorch (for its libtorch) but no .NET, from the repository root,
# with the bundle made by scripts/gpu-check/bundle.sh in BUNDLE_DIR (default: this script's folder). It prints:
#   1. greedy tokens of the Hugging Face fixture model on cpu, cuda float32 and cuda bfloat16 (the HF reference line
#      is printed first: all three must equal it);
#   2. pretraining tokens/s and MFU of the `small` preset on cuda;
#   3. forward and decode throughput of `tiny` in bf16 on cuda;
#   4. the smoke pipeline from pretraining on (align, FP8 quantization, evaluation) on cuda: its report lands in $OUT
#      (or ./gpu-check-out) for comparison with a CPU run of the same folder;
#   5. SFT with LoRA adapters on cuda.
set -uo pipefail
bundle=$(realpath "${1:-$(dirname "$0")}")
out=${OUT:-$PWD/gpu-check-out}; mkdir -p "$out"
torch_lib=$(python3 -c "import torch,os;print(os.path.join(os.path.dirname(torch.__file__),'lib'))") || { echo "PyTorch is needed for its libtorch"; exit 1; }
export LD_LIBRARY_PATH=$torch_lib:${LD_LIBRARY_PATH:-} DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
app=$(mktemp -d); tar xJf "$bundle/gpu-app.tar.xz" -C "$app"; L=$app/gpu-app/llama
nvidia-smi -L; python3 -c "import torch;print('torch',torch.__version__,'cuda',torch.version.cuda)"

echo "== 1. greedy parity; HF reference: 490,502,137,79,448,317,488,214,221,221,221,280,217,338,106,491,464,197,243,117"
for pair in "cpu float32" "cuda float32" "cuda bfloat16"; do set -- $pair
  printf '%-14s ' "$1 $2"; timeout 120 "$L" generate --model tests/fixtures/hf-llama3-tiny --prompt-ids 433,337,403,132,143,387,91,110 \
    --max-new-tokens 20 --temperature 0 --device "$1" --dtype "$2" 2>&1 | tail -1
done
echo "== 2. pretraining, small preset, cuda"; timeout 300 "$L" bench pretraining --preset small --steps 10 --device cuda 2>&1 | tail -3
echo "== 3. inference, tiny preset, bf16, cuda"; timeout 120 "$L" bench inference --preset tiny --device cuda --dtype bfloat16 --repeats 3 2>&1 | tail -5

echo "== 4. smoke pipeline, pretraining on, cuda"
folder=$(tar xOf "$bundle/gpu-smoke.tar" ./ORIGINAL_FOLDER)
rm -rf "$folder"; mkdir -p "$folder"; tar xf "$bundle/gpu-smoke.tar" -C "$folder"
timeout 600 "$L" pipeline --preset smoke --no-record --out "$folder" --device cuda >"$out/pipeline.log" 2>&1; echo "pipeline exit code $?"
grep -v '%' "$out/pipeline.log" | grep '^  ' ; cp "$folder/report.md" "$out/" 2>/dev/null

echo "== 5. SFT with LoRA, cuda"
timeout 300 "$L" sft --model "$folder/2-pretrain/model" --out "$app/lora-sft" --device cuda --no-record --tasks arithmetic \
  --set sft.lora.enabled=true --set sft.training.steps=20 2>&1 | grep -v '%' | tail -2
