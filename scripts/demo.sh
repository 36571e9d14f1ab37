#!/usr/bin/env bash
# The main job on a fresh machine: install what is missing, build, and run the demo in two parts.
#   1. `fedsim demo`: a sweep of the escrow example finds its timeout race and replays the
#      failing seed (extra arguments go to `fedsim demo`).
#   2. A historical Fedimint bug in the gateway model (fedimint#8990, /stop deadlocks with
#      payments in flight): the user's scenario swept with the bug's variant switched on
#      (`--set variant=stop_deadlock`) fails; the first failing seed is replayed, its
#      fingerprint must equal the sweep's, and its timeline is written as HTML; the same seeds
#      pass with the fixed gateway.
# Exit 0 only if both parts found their bug, replayed it exactly, and the fixed code passes.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
# Line tables only, as scripts/test.sh builds it, so either command after the other reuses the
# build (scripts/build.sh, DEBUG_INFO).
DEBUG_INFO=lines scripts/build.sh build
fedsim=build/tools/fedsim

echo "== part 1: the escrow example"
"$fedsim" demo "$@"

echo
echo "== part 2: a historical Fedimint bug, fedimint#8990: gateway /stop deadlocks with payments in flight"
scenario=scenarios/bugs/stop-gateway-while-paying.json
results=build/demo-fedimint-bug.json
sweep_args=(--seeds 1..20 --jobs 2 --progress never)
echo "\$ $fedsim sweep $scenario ${sweep_args[*]} --set variant=stop_deadlock --stop-on-first --json $results"
status=0
"$fedsim" sweep "$scenario" "${sweep_args[@]}" --set variant=stop_deadlock --stop-on-first \
  --json "$results" || status=$?
failure=$(grep -m1 '"status":"fail"' "$results" || true)
seed=$(sed -E 's/.*"seed":([0-9]+).*/\1/' <<<"$failure")
fingerprint=$(sed -E 's/.*"fingerprint":"([0-9a-f]{16})".*/\1/' <<<"$failure")
if [[ $status != 1 || ! $seed =~ ^[0-9]+$ || ! $fingerprint =~ ^[0-9a-f]{16}$ ]]; then
  echo "demo: the sweep with the bug switched on should have failed a seed (exit 1, a \"fail\" run in $results); got exit $status" >&2
  exit 1
fi

echo
echo "\$ $fedsim replay $scenario --seed $seed --set variant=stop_deadlock --quiet --expect-fingerprint $fingerprint --html build/demo-fedimint-bug.html"
replay=$("$fedsim" replay "$scenario" --seed "$seed" --set variant=stop_deadlock --quiet \
  --expect-fingerprint "$fingerprint" --html build/demo-fedimint-bug.html 2>&1) || true
grep -E '^(outcome|fingerprint|FAIL|replay)' <<<"$replay" || true
if ! grep -q "^fingerprint $fingerprint " <<<"$replay" || grep -q "differs from the expected" <<<"$replay"; then
  echo "demo: the replay of seed $seed did not reproduce the sweep's fingerprint $fingerprint:" >&2
  echo "$replay" | tail -20 >&2
  exit 1
fi
echo "replay fingerprint matches the sweep's ($fingerprint); timeline: build/demo-fedimint-bug.html"

echo
echo "\$ $fedsim sweep $scenario ${sweep_args[*]}     # the fixed gateway (variant off)"
status=0
fixed=$("$fedsim" sweep "$scenario" "${sweep_args[@]}" 2>&1) || status=$?
if [[ $status != 0 ]]; then
  echo "$fixed" >&2
  echo "demo: the fixed gateway failed seeds (exit $status)" >&2
  exit 1
fi
grep -E '^[0-9]+ passed' <<<"$fixed"
