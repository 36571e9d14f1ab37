#!/usr/bin/env bash
# Determinism across builds: sweeps every bundled scenario over a seed range with each build
# and compares the --json results byte for byte. They hold every seed's fingerprint (a hash of
# every event and trace record), outcome, event count and end time, sorted by seed and free of
# wall times, so any divergence between compilers, optimisation levels or the sanitizer build
# shows up as the first differing line.
# Usage: scripts/ci-cross-fingerprints.sh [SEEDS] [BUILD_DIR...]
#   SEEDS defaults to 1..500; the builds default to build (g++ -O2), build-clang (clang -O0)
#   and build-asan (ASan+UBSan), skipping any that is not built. At least two are needed.
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=${1:-1..500}
shift || true
dirs=("$@")
if [[ ${#dirs[@]} -eq 0 ]]; then
  dirs=(build build-clang build-asan)
fi
builds=()
for d in "${dirs[@]}"; do
  if [[ -x $d/tools/fedsim ]]; then
    builds+=("$d")
  else
    echo "note: $d/tools/fedsim is not built; leaving it out" >&2
  fi
done
if [[ ${#builds[@]} -lt 2 ]]; then
  echo "ci-cross-fingerprints: need at least two builds, have: ${builds[*]:-none}" >&2
  exit 2
fi
# True when FILE is a finished sweep's results whose non-passing seeds are all bad input: its
# summary line (the last line fedsim writes) has "not_run":0 and a "bad_input" above zero.
swept_with_bad_input() {
  [[ -f $1 ]] && tail -1 "$1" | grep -q '"not_run":0' &&
    tail -1 "$1" | grep -Eq '"bad_input":[1-9]'
}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
start=$(date +%s)
status=0
scenarios=0
runs=0
while IFS= read -r file; do
  scenarios=$((scenarios + 1))
  name=$(echo "$file" | tr '/' '_')
  for b in "${builds[@]}"; do
    tag=$(echo "$b" | tr '/' '_')
    # Exit code 1 is a failing seed (the bugs/ scenarios fail by design). Exit 2 is either a
    # usage error (nothing swept, no results file) or a sweep whose only non-passing seeds are
    # bad input (drawn parameters the scenario cannot run): those seeds are results like any
    # other, with a fingerprint, events and end time, so they are compared too. The results
    # file tells the two apart: complete (nothing "not_run") with "bad_input" above zero.
    rc=0
    "$b/tools/fedsim" sweep "$file" --seeds "$seeds" --progress never \
      --json "$out/$name.$tag.raw.json" >/dev/null || rc=$?
    if [[ $rc -ge 2 ]] && ! { [[ $rc -eq 2 ]] && swept_with_bad_input "$out/$name.$tag.raw.json"; }; then
      echo "ci-cross-fingerprints: $b could not sweep $file (exit $rc)" >&2
      exit 2
    fi
    # Each seed's replay command starts with the fedsim that ran it (so it pastes as printed):
    # the one part of a result that names the build, so it is made the same before comparing.
    sed "s#\"replay\":\"$b/tools/fedsim #\"replay\":\"fedsim #" "$out/$name.$tag.raw.json" \
      >"$out/$name.$tag.json"
  done
  first="$out/$name.$(echo "${builds[0]}" | tr '/' '_').json"
  runs=$((runs + $(grep -c '"seed":' "$first")))
  for b in "${builds[@]:1}"; do
    other="$out/$name.$(echo "$b" | tr '/' '_').json"
    if ! cmp -s "$first" "$other"; then
      echo "DIFFERENT: $file between ${builds[0]} and $b:" >&2
      diff "$first" "$other" | head -6 >&2 || true  # head closing the pipe is not a failure
      status=1
    fi
  done
done < <(find scenarios -name '*.json' | sort)
if [[ $status -eq 0 ]]; then
  echo "fingerprints identical across ${builds[*]}: $scenarios scenarios, $runs runs each," \
    "seeds $seeds, $(($(date +%s) - start))s"
fi
exit $status
