#!/usr/bin/env bash
# The catalogue end to end for the bugs that show two symptoms (a rejection, or a halt with the
# peg-in undecided): sweep with the variant on, shrink, write the regression, then check that
# every file it wrote passes `catalogue --verify`. The catalogue used to write a regression that
# expected the rejection while its shrunk failure was the halt, and did not notice.
# Usage: roundtrip.sh FEDSIM WORKDIR
set -euo pipefail
fedsim=$1
dir=$2
rm -rf "$dir"
mkdir -p "$dir"
"$fedsim" catalogue --bug count-returns-height fake-height-is-len unknown-peg-in-block \
  --sweeps 2 --proof-seeds 40 --regressions "$dir" --doc "$dir/catalogue.md"
written=("$dir"/*.json)
if [[ ${#written[@]} -ne 3 ]]; then
  echo "expected 3 regressions in $dir, found ${#written[@]}" >&2
  exit 1
fi
for f in "${written[@]}"; do
  "$fedsim" catalogue --verify "$f"
done
