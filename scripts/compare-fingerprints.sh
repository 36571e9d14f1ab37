#!/usr/bin/env bash
# Runs `fedsim fingerprints` with two builds and fails on the first differing line.
# Usage: scripts/compare-fingerprints.sh FEDSIM_A FEDSIM_B [SEEDS]
set -euo pipefail
a=$1
b=$2
seeds=${3:-1..1000}
out_a=$(mktemp)
out_b=$(mktemp)
trap 'rm -f "$out_a" "$out_b"' EXIT
"$a" fingerprints --seeds "$seeds" >"$out_a"
"$b" fingerprints --seeds "$seeds" >"$out_b"
if ! diff -u "$out_a" "$out_b" | head -20; then
  echo "fingerprints differ between $a and $b (first lines above)" >&2
  exit 1
fi
echo "fingerprints identical for seeds $seeds ($(wc -l <"$out_a") runs)"
