#!/usr/bin/env bash
# Installs Debian's PostgreSQL server binaries when no /usr/lib/postgresql/<ver>/bin/initdb exists.
# Only the binaries are used: the project runs its own cluster (sps-pg), never the system service.
set -euo pipefail
if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "PostgreSQL is not installed; run as root: apt-get update && apt-get install -y postgresql" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends postgresql >/dev/null
