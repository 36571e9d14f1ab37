#!/usr/bin/env bash
# Installs the Debian packages fedsim needs, only those that are missing. Safe to re-run.
# Needs root (or sudo) when something is missing; prints what it installs.
# --with-test-tools adds what only the test suite needs: Chromium, for the test that renders
# the HTML timeline in a real browser.
set -euo pipefail

# libclang-rt-14-dev holds clang's sanitizer and libFuzzer runtimes (not a dependency of clang);
# llvm holds llvm-symbolizer, without which an ASan/UBSan report names no file or line.
packages=(
  build-essential cmake ninja-build clang libclang-rt-14-dev llvm
  libboost-context-dev libspdlog-dev catch2 nlohmann-json3-dev libcli11-dev
)
if [[ "${1:-}" == "--with-test-tools" ]]; then
  packages+=(chromium)
fi

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "fedsim: installing ${missing[*]}" >&2
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  sudo_cmd=(sudo)
fi
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
  "${missing[@]}" >/dev/null
