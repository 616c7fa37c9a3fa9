#!/usr/bin/env bash
# Builds what the GPU check needs, on a machine with the .NET SDK, into BUNDLE_DIR (default .gpu/, git-ignored):
#   gpu-app.tar.xz  the `llama` CLI published self-contained for linux-x64 with TorchBackend=none: no libtorch inside,
#                   it runs against the GPU machine's own (PyTorch's) libtorch. Trimmed (partial) and stripped of the
#                   llama.cpp natives and the Lingua language models so the bundle stays ~25 MB.
#   gpu-smoke.tar   a smoke pipeline folder whose curation step is finished (curation needs Lingua, so it runs here on
#                   the CPU); the GPU run resumes it from pretraining on.
#   check.sh        the script to run on the GPU machine from the repository root (copied from this folder).
#
#   bash scripts/gpu-check/bundle.sh [BUNDLE_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
bundle=$(realpath -m "${1:-.gpu}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$bundle"

echo "publishing the llama CLI (self-contained, TorchBackend=none)"
# Trimming turns these warnings into errors, and System.Text.Json's reflection off, unless told otherwise: EF Core and
# our JSON files need reflection, and partial trimming leaves our own assemblies whole.
dotnet publish src/Llama.Cli -c Release -r linux-x64 --self-contained -p:TorchBackend=none \
  -p:PublishTrimmed=true -p:TrimMode=partial -p:JsonSerializerIsReflectionEnabledByDefault=true \
  -p:InvariantGlobalization=true -p:TreatWarningsAsErrors=false -p:SuppressTrimAnalysisWarnings=true \
  -p:EnableTrimAnalyzer=false -o "$work/publish" >"$work/publish.log" || { tail -30 "$work/publish.log"; exit 1; }

echo "curating the smoke preset on the CPU"
dotnet run --project src/Llama.Cli -c Release -- pipeline --preset smoke --no-record --out "$work/smoke" >"$work/smoke.log" 2>&1 \
  || { tail -30 "$work/smoke.log"; exit 1; }
mkdir -p "$work/state"
cp -r "$work/smoke/1-curate" "$work/state/"
python3 - "$work/smoke/pipeline.json" "$work/state/pipeline.json" <<'PY'
import json, sys
state = json.load(open(sys.argv[1]))
state["steps"] = {"1-curate": state["steps"]["1-curate"]}   # only curation counts as done
state["pendingJobs"] = {}
json.dump(state, open(sys.argv[2], "w"), indent=1)
PY
# The state names its folder by absolute path: the GPU run unpacks it to the same place.
echo "$work/smoke" >"$work/state/ORIGINAL_FOLDER"
tar cf "$bundle/gpu-smoke.tar" -C "$work/state" .

mv "$work/publish" "$work/gpu-app"
rm -rf "$work/gpu-app/Lingua" "$work/gpu-app/runtimes" "$work/gpu-app"/*.pdb "$work/gpu-app"/*.dbg
tar cf - -C "$work" gpu-app | xz -T0 -6 >"$bundle/gpu-app.tar.xz"
cp scripts/gpu-check/check.sh "$bundle/check.sh"
du -sh "$bundle"/*
echo "next, on the GPU machine, from the repository root with $bundle beside it: bash $(basename "$bundle")/check.sh"
