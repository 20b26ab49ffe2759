#!/usr/bin/env bash
# Builds every cargo-fuzz target declared in fuzz/Cargo.toml and lays them out in $OUT the way
# OSS-Fuzz and ClusterFuzzLite expect: for each target, the binary `$OUT/<target>`, the shared
# dictionary as `<target>.dict`, libFuzzer options in `<target>.options` (the committed
# fuzz/options/<target>.options, naming the dictionary), and the committed seeds
# (corpora/<target>/, regressions/ included) as `<target>_seed_corpus.zip`.
#
# Inside the OSS-Fuzz builder image (SRC and FUZZING_ENGINE set) the repository is the working
# directory and the image's cargo wrapper and RUSTFLAGS choose the sanitizer, so cargo-fuzz runs
# with its defaults. Outside it only OUT is needed:
#
#   OUT=/tmp/cflite bash .clusterfuzzlite/build.sh               # ASan on nightly if installed
#   SANITIZER=none OUT=/tmp/cflite bash .clusterfuzzlite/build.sh # stable, no sanitizer
#
# SANITIZER is `address` (needs a nightly toolchain) or `none`; it defaults to `address` when
# `cargo +nightly` works and to `none` otherwise.
set -euo pipefail

die() {
  echo "build.sh: $*" >&2
  exit 1
}

[[ -n ${OUT:-} ]] || die "OUT is not set: point it at the folder to fill"
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

if [[ -n ${SRC:-} && -n ${FUZZING_ENGINE:-} ]]; then
  in_builder=1
  # The Dockerfile's WORKDIR is the repository; build.sh itself was copied to $SRC.
  repo=$PWD
else
  in_builder=0
  repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fi
[[ -f $repo/fuzz/Cargo.toml ]] || die "no fuzz/Cargo.toml under $repo"
cd "$repo"

cargo_args=()
if ((in_builder)); then
  sanitizer_args=()
  describe="OSS-Fuzz builder, SANITIZER=${SANITIZER:-address}"
else
  nightly=()
  if cargo +nightly --version >/dev/null 2>&1; then
    nightly=(+nightly)
    has_nightly=1
  elif rustc --version 2>/dev/null | grep -q nightly; then
    has_nightly=1
  else
    has_nightly=0
  fi
  sanitizer=${SANITIZER:-}
  if [[ -z $sanitizer ]]; then
    if ((has_nightly)); then sanitizer=address; else sanitizer=none; fi
  fi
  case $sanitizer in
    address)
      ((has_nightly)) || die "SANITIZER=address needs a nightly toolchain; use SANITIZER=none"
      cargo_args=("${nightly[@]}")
      describe="nightly toolchain, AddressSanitizer"
      ;;
    none)
      describe="default toolchain, no sanitizer"
      ;;
    *) die "SANITIZER must be address or none outside the OSS-Fuzz builder, not '$sanitizer'" ;;
  esac
  sanitizer_args=(--sanitizer "$sanitizer")
fi

# Target names and the target folder, as cargo reads them from fuzz/Cargo.toml (this honours
# CARGO_TARGET_DIR and picks up targets added there without touching this script).
metadata=$(cargo "${cargo_args[@]}" metadata --no-deps --format-version 1 \
  --manifest-path fuzz/Cargo.toml)
mapfile -t targets < <(python3 -c '
import json, sys
meta = json.load(sys.stdin)
for package in meta["packages"]:
    for target in package["targets"]:
        if "bin" in target["kind"]:
            print(target["name"])
' <<<"$metadata")
target_dir=$(python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])' \
  <<<"$metadata")
((${#targets[@]} > 0)) || die "fuzz/Cargo.toml declares no [[bin]] targets"
host=$(rustc "${cargo_args[@]}" -vV | sed -n 's/^host: //p')
[[ -n $host ]] || die "cannot tell the host triple from rustc -vV"

echo "build.sh: ${#targets[@]} target(s) (${targets[*]}) on the $describe, into $OUT" >&2

# One cargo-fuzz invocation builds every [[bin]]. --debug-assertions keeps overflow checks and
# debug_assert! live while fuzzing, as OSS-Fuzz's Rust projects do. Comparison tracing stays on
# (cargo-fuzz's default), unlike in `cargo xtask fuzz`: ClusterFuzz's libFuzzer strategies include
# value profiling, which feeds on it.
cargo "${cargo_args[@]}" fuzz build -O --debug-assertions --fuzz-dir fuzz "${sanitizer_args[@]}"

dictionary=corpora/upgrade.dict
[[ -f $dictionary ]] || die "no dictionary at $dictionary"

# Writes the files named on stdin (paths relative to $1) into the zip $2 with flat names, a
# subfolder becoming a prefix (regressions/crash-1 -> regressions-crash-1), because ClusterFuzz
# unpacks seed corpora into one folder.
zip_flat() {
  local base=$1 archive=$2
  rm -f "$archive"
  if command -v zip >/dev/null; then
    local stage
    stage=$(mktemp -d)
    local file
    while IFS= read -r file; do
      cp "$base/$file" "$stage/${file//\//-}"
    done
    zip -q -X -j "$archive" "$stage"/*
    rm -rf "$stage"
  else
    python3 -c '
import sys, zipfile
base, archive = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
    for line in sys.stdin:
        name = line.rstrip("\n")
        z.write(f"{base}/{name}", arcname=name.replace("/", "-"))
' "$base" "$archive"
  fi
}

for target in "${targets[@]}"; do
  binary=$target_dir/$host/release/$target
  [[ -x $binary ]] || die "cargo fuzz build left no binary at $binary"
  cp "$binary" "$OUT/$target"

  cp "$dictionary" "$OUT/$target.dict"
  # fuzz/options/<target>.options holds the [libfuzzer] section (max_len...); the dictionary
  # line is added here, naming the copy shipped beside the binary.
  options=fuzz/options/$target.options
  [[ -f $options ]] || die "target $target has no options file at $options"
  grep -qx '\[libfuzzer\]' "$options" || die "$options has no [libfuzzer] section"
  { cat "$options"; printf 'dict = %s.dict\n' "$target"; } >"$OUT/$target.options"

  seeds=corpora/$target
  [[ -d $seeds ]] || die "target $target has no seed corpus at $seeds/"
  files=$(cd "$seeds" && find . -type f ! -name '.*' | sed 's|^\./||' | LC_ALL=C sort)
  [[ -n $files ]] || die "the seed corpus $seeds/ is empty"
  zip_flat "$seeds" "$OUT/${target}_seed_corpus.zip" <<<"$files"

  echo "build.sh: $target: $(wc -l <<<"$files") seed(s)" >&2
done
