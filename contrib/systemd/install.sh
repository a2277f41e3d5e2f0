#!/bin/sh
# Installs dockerd-ts and its systemd units on a host that may already run Docker.
#
#   contrib/systemd/install.sh beside  EXECUTABLE   its own unit, socket and paths; Docker untouched
#   contrib/systemd/install.sh replace EXECUTABLE   takes docker.service's place and /run/docker.sock
#
# EXECUTABLE is the single executable, dist/sea/dockerd-linux-x64 (`npm run dist`). It is installed
# as /usr/local/bin/dockerd-ts: never as `dockerd`, so the distribution's /usr/sbin/dockerd (and
# what `dockerd` runs) stays as it is either way.
#
# DESTDIR=/some/root installs into that root instead and touches nothing else (no groupadd, no
# systemctl): for packaging, and for test/e2e/first-run.test.ts, which verifies the result.
set -eu

usage() {
  echo "usage: $0 beside|replace EXECUTABLE" >&2
  exit 1
}

[ $# -eq 2 ] || usage
mode=$1
exe=$2
here=$(cd "$(dirname "$0")" && pwd)
root=${DESTDIR:-}
case $mode in
  beside) units='dockerd-ts.socket dockerd-ts.service' ;;
  replace) units='dockerd.socket dockerd.service' ;;
  *) usage ;;
esac
[ -f "$exe" ] && [ -x "$exe" ] || { echo "$0: $exe: not an executable file (build it with: npm run dist)" >&2; exit 1; }

install -D -m 0755 "$exe" "$root/usr/local/bin/dockerd-ts"
for unit in $units; do install -D -m 0644 "$here/$unit" "$root/etc/systemd/system/$unit"; done
if [ "$mode" = beside ]; then
  # Its own daemon.json (an explicit --config-file must exist); Docker's /etc/docker/daemon.json
  # is not read.
  install -d -m 0755 "$root/etc/dockerd-ts"
  [ -e "$root/etc/dockerd-ts/daemon.json" ] || printf '{}\n' >"$root/etc/dockerd-ts/daemon.json"
fi

[ -z "$root" ] || exit 0
getent group docker >/dev/null || groupadd --system docker
if [ "$mode" = replace ]; then
  # Docker's units stay installed (the package owns them), disabled: `systemctl enable --now
  # docker.socket docker.service` after disabling ours goes back.
  systemctl disable --now docker.socket docker.service 2>/dev/null || true
fi
systemctl daemon-reload
set -- $units
systemctl enable --now "$1"
echo "installed: /usr/local/bin/dockerd-ts, $units; the daemon starts on the first API call (systemctl start ${2%.service})"
