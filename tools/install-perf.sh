#!/usr/bin/env bash
# Installs Debian's linux-perf (for make bench-tf-profile) when no `perf` is on PATH. Symbols of the
# stripped terraform binary come from its own .gopclntab (bench/gosym.py): no Go toolchain needed.
set -euo pipefail
if command -v perf >/dev/null; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "perf is not installed; run as root: apt-get update && apt-get install -y linux-perf" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends linux-perf >/dev/null
