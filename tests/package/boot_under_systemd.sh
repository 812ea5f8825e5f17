#!/usr/bin/env bash
# Boots this machine's own Debian under systemd in a container (systemd-nspawn, /usr shared
# read-only, a copy of /etc) with the rollcall package installed on the host, and checks that
# the packaged unit really works under systemd with its whole sandbox: it starts (Type=notify,
# READY=1 after migrations on the embedded PostgreSQL), answers /readyz, scores <= 2.0 in
# `systemd-analyze security` (online, inside the booted system), reloads on SIGHUP, is
# restarted by the watchdog when its event loop stops, and stops cleanly.
# Usage: boot_under_systemd.sh   (as root, with the .deb installed: /usr/bin/rollcalld,
# /usr/lib/systemd/system/rollcalld.service, /etc/rollcall, the rollcall user)
set -euo pipefail

die() { printf 'boot_under_systemd.sh: %s\n' "$*" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || die "must run as root"
command -v systemd-nspawn >/dev/null || die "systemd-nspawn not found (package systemd-container; scripts/deps installs it)"
[[ -x /usr/bin/rollcalld && -f /usr/lib/systemd/system/rollcalld.service ]] || die "the rollcall package is not installed"
getent passwd rollcall >/dev/null || die "no rollcall user"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
root=$(mktemp -d /var/tmp/rollcall-boot.XXXXXX)
log=$root.console
nspawn_pid=
cleanup() {
  if [[ -n $nspawn_pid ]] && kill -0 "$nspawn_pid" 2>/dev/null; then
    kill "$nspawn_pid" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$nspawn_pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$nspawn_pid" 2>/dev/null || true
  fi
  rm -rf -- "$root" "$log"
}
trap cleanup EXIT

# The container's root: /usr comes from the host (bind, read-only), /etc is a copy (so the
# package's conffile, user and enablement link are there), the rest starts empty.
chmod 755 "$root"
mkdir -p "$root"/{usr,etc,var/lib,var/log,run,tmp,root}
for l in bin sbin lib lib64; do ln -s "usr/$l" "$root/$l"; done
cp -a /etc/. "$root/etc/"
# nspawn looks for os-release before /usr is mounted; a fresh machine id per boot.
rm -f "$root/etc/os-release" "$root/etc/machine-id"
cp /usr/lib/os-release "$root/etc/os-release"
# Only what this test needs starts in the container.
for unit in postgresql.service prometheus.service ssh.service cron.service; do
  ln -sf /dev/null "$root/etc/systemd/system/$unit"
done
# The packaged config with a port of our own.
cfg=$root/etc/rollcall/rollcall.toml
[[ -f $cfg ]] || die "no /etc/rollcall/rollcall.toml"
python3 - "$cfg" "$port" <<'PY'
import re, sys
path, port = sys.argv[1], sys.argv[2]
text = open(path).read()
text = re.sub(r'(?m)^address = .*$', 'address = "127.0.0.1"', text, count=1)
text = re.sub(r'(?m)^port = .*$', f'port = {port}', text, count=1)
open(path, 'w').write(text)
PY
grep -q "^port = $port\$" "$cfg" || die "could not set server.port in the copied config"
# A short watchdog for this test only (the unit says 30s).
mkdir -p "$root/etc/systemd/system/rollcalld.service.d"
printf '[Service]\nWatchdogSec=3s\n' >"$root/etc/systemd/system/rollcalld.service.d/test-watchdog.conf"
mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
ln -sf /usr/lib/systemd/system/rollcalld.service "$root/etc/systemd/system/multi-user.target.wants/rollcalld.service"

systemd-nspawn -D "$root" --bind-ro=/usr --register=no --keep-unit --boot --machine="rollcall-boot-$$" \
  --console=read-only -- systemd.firstboot=off >"$log" 2>&1 &
nspawn_pid=$!

in_container() { nsenter -t "$leader" -a "$@"; }
leader=
for _ in $(seq 1 60); do
  leader=$(pgrep -P "$nspawn_pid" -x systemd || true)
  [[ -n $leader ]] && break
  sleep 0.5
done
[[ -n $leader ]] || { cat "$log" >&2; die "the container's systemd did not start"; }

ready() { curl -fsS --max-time 2 "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; }
wait_for() {  # seconds, command...
  local t=$1; shift
  for _ in $(seq 1 $((t * 2))); do "$@" && return 0; sleep 0.5; done
  return 1
}
journal() { in_container journalctl -u rollcalld --no-pager -o cat 2>/dev/null || true; }

wait_for 120 ready || { journal >&2; tail -30 "$log" >&2; die "rollcalld did not become ready under systemd"; }
state=$(in_container systemctl is-active rollcalld || true)
[[ $state == active ]] || { journal >&2; die "rollcalld is '$state', not active"; }
echo "started under systemd: active, /readyz 200"

exposure=$(in_container systemd-analyze security rollcalld --no-pager 2>&1 |
  sed -n 's/.*Overall exposure level for [^:]*: \([0-9][0-9]*\.[0-9]\).*/\1/p')
[[ -n $exposure ]] || die "no exposure level from systemd-analyze security"
awk -v e="$exposure" 'BEGIN { exit !(e <= 2.0) }' || die "exposure $exposure is above 2.0"
echo "systemd-analyze security (running unit): exposure $exposure"

in_container systemctl reload rollcalld
# ExecReload only sends SIGHUP: `systemctl reload` returns before rollcalld has logged it.
reloaded() { journal | grep -q "reload: configuration reloaded"; }
wait_for 20 reloaded || { journal >&2; die "reload did not reach rollcalld"; }
[[ $(in_container systemctl is-active rollcalld) == active ]] || die "not active after reload"
echo "reloaded (SIGHUP, RELOADING=1/READY=1)"

# A stopped event loop sends no watchdog pings: systemd must kill and restart it.
main_pid=$(in_container systemctl show -p MainPID --value rollcalld)
in_container kill -STOP "$main_pid"
restarted() { [[ $(in_container systemctl show -p NRestarts --value rollcalld) -ge 1 ]]; }
wait_for 60 restarted || { journal >&2; die "the watchdog did not restart a stuck rollcalld"; }
journal | grep -qi "watchdog timeout" || { journal >&2; die "no watchdog timeout in the journal"; }
wait_for 120 ready || { journal >&2; die "rollcalld did not come back after the watchdog restart"; }
echo "watchdog: a stopped loop was killed and restarted, ready again"

in_container systemctl stop rollcalld
state=$(in_container systemctl is-active rollcalld || true)
[[ $state == inactive ]] || { journal >&2; die "after stop: '$state', not inactive"; }
journal | grep -q "rollcalld stopped" || { journal >&2; die "no clean stop in the journal"; }
if in_container pgrep -u rollcall postgres >/dev/null; then die "the embedded PostgreSQL outlived the service"; fi
echo "stopped cleanly (STOPPING=1, embedded PostgreSQL stopped)"
echo "boot_under_systemd: OK (exposure $exposure)"
