#!/usr/bin/env bash
# Runs build.sh outside Docker and checks what it shipped, for every [[bin]] in fuzz/Cargo.toml:
# an executable `<target>`, `<target>.dict` equal to corpora/upgrade.dict, `<target>.options`
# holding every setting of fuzz/options/<target>.options and naming that dictionary, and `<target>_seed_corpus.zip` holding every file of corpora/<target>/;
# then each binary executes its unpacked seed corpus once (-runs=0) to prove it starts and that no
# committed seed crashes it.
#
#   bash .clusterfuzzlite/check.sh                  # into a temporary OUT, removed afterwards
#   SANITIZER=none bash .clusterfuzzlite/check.sh   # passed through to build.sh
#   OUT=/tmp/cflite bash .clusterfuzzlite/check.sh  # keep the build
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
if [[ -z ${OUT:-} ]]; then
  OUT=$scratch/out
fi
export OUT
# Only the local mode of build.sh is checked here, whatever the caller's environment holds.
unset SRC FUZZING_ENGINE

bash .clusterfuzzlite/build.sh

mapfile -t targets < <(cargo metadata --no-deps --format-version 1 \
  --manifest-path fuzz/Cargo.toml | python3 -c '
import json, sys
for package in json.load(sys.stdin)["packages"]:
    for target in package["targets"]:
        if "bin" in target["kind"]:
            print(target["name"])
')

failures=0
fail() {
  echo "check.sh: $*" >&2
  failures=$((failures + 1))
}

((${#targets[@]} > 0)) || fail "fuzz/Cargo.toml declares no [[bin]] targets"
for target in "${targets[@]}"; do
  binary=$OUT/$target
  [[ -f $binary && -x $binary ]] || fail "$target: no executable $binary"
  cmp -s corpora/upgrade.dict "$OUT/$target.dict" ||
    fail "$target: $OUT/$target.dict is missing or differs from corpora/upgrade.dict"
  grep -qx "dict = $target.dict" "$OUT/$target.options" 2>/dev/null ||
    fail "$target: $OUT/$target.options is missing or does not name $target.dict"
  while IFS= read -r line; do
    grep -qxF -- "$line" "$OUT/$target.options" ||
      fail "$target: $OUT/$target.options lacks \"$line\" from fuzz/options/$target.options"
  done < <(grep -Ev '^[[:space:]]*([#;]|$)' "fuzz/options/$target.options")

  archive=$OUT/${target}_seed_corpus.zip
  seeds=$scratch/seeds/$target
  mkdir -p "$seeds"
  expected=$(find "corpora/$target" -type f ! -name '.*' 2>/dev/null | wc -l)
  if ! unpacked=$(python3 -c '
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    z.extractall(sys.argv[2])
    print(len(z.namelist()))
' "$archive" "$seeds" 2>/dev/null); then
    fail "$target: $archive is missing or not a zip"
    continue
  fi
  ((expected > 0 && unpacked == expected)) ||
    fail "$target: $archive holds $unpacked seed(s), corpora/$target/ has $expected"

  if [[ -x $binary ]] && ! "$binary" -runs=0 "$seeds" >"$scratch/$target.log" 2>&1; then
    tail -n 20 "$scratch/$target.log" >&2
    fail "$target: executing the seed corpus failed"
  fi
done

if ((failures)); then
  echo "check.sh: $failures problem(s) in $OUT" >&2
  exit 1
fi
echo "check.sh: ${#targets[@]} target(s) OK in $OUT: ${targets[*]}"
