#!/usr/bin/env bash
# Installs every Debian 12 package that building, running and testing Swarmscope needs.
# Idempotent: packages already present are left alone. Runs as root, or through sudo.
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build pkg-config git
  qt6-base-dev qt6-base-dev-tools qt6-charts-dev libqt6opengl6-dev libgl-dev libssl-dev
  # scenario files (TOML, read and written with toml++ 3.3)
  libtomlplusplus-dev
  # runtime plugins for offscreen/desktop use
  qt6-qpa-plugins libqt6svg6 fonts-dejavu-core
  # formatting and the sanitizer/fuzz toolchain
  clang clang-format libclang-rt-14-dev
  # interoperability partners used by the tests and benchmarks
  mktorrent transmission-cli python3 python3-libtorrent aria2 opentracker
  # swarms across network namespaces (tests/multihost): unshare/nsenter, ip/tc, and Transmission's daemon
  util-linux iproute2 transmission-daemon
  # more clients, both ways (tests/interop); curl drives qBittorrent's Web API
  ctorrent rtorrent qbittorrent-nox deluged deluge-console curl
  # benchmarks only (tests/bench/tracker-load.sh), never run by the tests
  wrk
  # packaging checks
  desktop-file-utils appstream
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Some of these packages (transmission-daemon) ship a system service. The tests start their own copies with
# their own settings; nothing installed here starts a service (Debian's policy-rc.d, for the install only).
policy=/usr/sbin/policy-rc.d
added_policy=""
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
  $SUDO chmod 755 "$policy"
  added_policy=1
fi
trap 'if [ -n "$added_policy" ]; then $SUDO rm -f "$policy"; fi' EXIT
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
