#!/usr/bin/env bash
# Install the Debian/Ubuntu packages leerpad needs, only those that are missing.
#   scripts/system-packages.sh start   bubblewrap (the sandbox for learner code)
#   scripts/system-packages.sh test    also Chromium (browser tests), npm (axe-core,
#                                      configurable-http-proxy, oidc-provider) and
#                                      PostgreSQL (the PostgreSQL gradebook, hub mode)
#   scripts/system-packages.sh hub     bubblewrap, npm (configurable-http-proxy) and
#                                      PostgreSQL (the cohort's gradebook): make hub
# As root or with passwordless sudo it runs apt-get itself; otherwise it stops at once and
# prints the one command to run.
set -euo pipefail

need=()
missing() { need+=("$1"); }
command -v bwrap >/dev/null 2>&1 || missing bubblewrap
command -v prlimit >/dev/null 2>&1 || missing util-linux
if [ "${1:-start}" = test ]; then
  [ -x /usr/bin/chromium ] || missing chromium
fi
if [ "${1:-start}" = test ] || [ "${1:-start}" = hub ]; then
  command -v npm >/dev/null 2>&1 || missing npm
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing postgresql
fi
[ ${#need[@]} -eq 0 ] && exit 0

command="apt-get install -y ${need[*]}"
if ! command -v apt-get >/dev/null 2>&1; then
  echo "leerpad heeft deze systeempakketten nodig: ${need[*]}." >&2
  echo "Installeer ze met de pakketbeheerder van je systeem en probeer opnieuw." >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo)
else
  echo "leerpad heeft systeempakketten nodig. Voer dit één keer uit en probeer opnieuw:" >&2
  echo "  sudo apt-get update && sudo $command" >&2
  exit 1
fi

echo "Systeempakketten installeren: ${need[*]} (apt-get; verslag in var/apt.log)"
mkdir -p var
export DEBIAN_FRONTEND=noninteractive
# Package lists may be missing on a fresh machine: update first, quietly.
if ! { "${sudo[@]}" apt-get update -q && "${sudo[@]}" apt-get install -y -q "${need[@]}"; } \
    >var/apt.log 2>&1; then
  echo "apt-get faalde; zie var/apt.log. Probeer zelf: sudo apt-get update && sudo $command" >&2
  exit 1
fi
