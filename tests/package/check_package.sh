#!/usr/bin/env bash
# Builds the Debian package from the build tree the test runs in (cpack, into a temporary
# directory), installs it on THIS machine with dpkg, and checks what an administrator gets:
#   - the package's version, dependencies (shlibdeps plus postgresql, gawk, pnc) and files;
#   - installed files with their owners and modes, /etc/rollcall/rollcall.toml a conffile that
#     only the group rollcall can read, the user rollcall with no login shell;
#   - the installed unit: `systemd-analyze verify` prints nothing, exposure at most 2.0;
#   - the postinst's rule: started only once --check-config passes (a removed api.token refused);
#   - the installed rollcalld, started the way systemd starts it (user rollcall, its state and
#     runtime directories, umask 077, a NOTIFY_SOCKET), sends READY=1, answers /readyz 200,
#     and on SIGTERM sends STOPPING=1 and exits 0 with its embedded PostgreSQL stopped;
#   - an edited conffile survives an upgrade (a repacked .deb of a higher version whose
#     rollcall.toml differs, installed with --force-confold);
#   - purge removes every file (the conffile too) and leaves nothing running; it keeps
#     /var/lib/rollcall and the user, as docs/install.md says.
# The machine is left as it was, also on failure. When systemd runs (/run/systemd/system), the
# service is also started with systemctl and must become active.
# Usage: check_package.sh BUILD_DIR
# Needs root (CI runs as root) or passwordless sudo: then the packages are built as the calling
# user and only the install checks run through sudo. Without either it fails, unless
# ROLLCALL_SKIP_PACKAGE_TEST=1 (exit 77: ctest's "skipped", which scripts/test counts as a
# failure).
set -euo pipefail

die() {
  printf 'check_package.sh: %s\n' "$*" >&2
  exit 1
}
step() { printf -- '-- %s\n' "$*"; }

script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
src=$(cd -- "$script_dir/../.." && pwd)
readonly max_exposure=2.0
readonly pkg=rollcall

# =================================================================================================
# Phase 1, as the calling user: build the package, and a copy of it as a later version whose
# default configuration differs (to upgrade to).
# =================================================================================================
build_packages() {
  [[ $# -eq 1 ]] || die "usage: $0 BUILD_DIR"
  local build
  build=$(realpath -e -- "$1") || die "build directory not found: $1"
  [[ -f $build/CPackConfig.cmake ]] || die "no CPackConfig.cmake in $build (configure it with CMake first)"

  local as_root=()
  if [[ $(id -u) -ne 0 ]]; then
    if ! sudo -n true 2>/dev/null; then
      if [[ ${ROLLCALL_SKIP_PACKAGE_TEST:-} == 1 ]]; then
        echo "check_package.sh: skipped (ROLLCALL_SKIP_PACKAGE_TEST=1): not root and no passwordless sudo"
        exit 77
      fi
      die "this test installs the package on this machine and needs root or passwordless sudo" \
        "(CI runs as root); set ROLLCALL_SKIP_PACKAGE_TEST=1 to skip it"
    fi
    as_root=(sudo -n)
  fi

  work=$(mktemp -d "${TMPDIR:-/tmp}/rollcall-package-XXXXXX")
  chmod 711 "$work"
  trap 'rm -rf -- "$work"' EXIT

  step "cpack on $build"
  if ! (cd "$work" && cpack --config "$build/CPackConfig.cmake" -G DEB -B "$work/cpack") >"$work/cpack.log" 2>&1; then
    cat "$work/cpack.log" >&2
    die "cpack failed"
  fi
  local debs=("$work"/cpack/*.deb)
  [[ ${#debs[@]} -eq 1 && -f ${debs[0]} ]] || die "expected one .deb from cpack, found: ${debs[*]}"
  local deb=${debs[0]}

  # The package's version is the CMake project version.
  local project_version
  project_version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
  [[ -n $project_version ]] || die "no CMAKE_PROJECT_VERSION in $build/CMakeCache.txt"
  local version
  version=$(dpkg-deb -f "$deb" Version)
  [[ $version == "$project_version-1" ]] || die "package version $version, expected $project_version-1"
  [[ $(dpkg-deb -f "$deb" Package) == "$pkg" ]] || die "package name is not $pkg"
  [[ $(basename "$deb") == "${pkg}_${version}_$(dpkg --print-architecture).deb" ]] ||
    die "unexpected file name $(basename "$deb")"

  local depends
  depends=$(dpkg-deb -f "$deb" Depends)
  printf 'Depends: %s\n' "$depends"
  local dep
  # postgresql, gawk, pnc, ... are ours; libc6, libpqxx and libsodium come from dpkg-shlibdeps.
  for dep in postgresql gawk pnc adduser ca-certificates 'libc6 (>=' libpqxx- libsodium; do
    [[ ", $depends" == *", $dep"* ]] || die "Depends lacks $dep: $depends"
  done
  [[ $(dpkg-deb -I "$deb" conffiles) == /etc/rollcall/rollcall.toml ]] ||
    die "conffiles is not exactly /etc/rollcall/rollcall.toml: $(dpkg-deb -I "$deb" conffiles)"

  # The upgrade: the same package as version <version>.1 with a line added to the default
  # configuration, so that dpkg must choose between it and the administrator's edit.
  local tree=$work/upgrade-tree upgrade_version=$version.1
  dpkg-deb -R "$deb" "$tree"
  sed -i "s/^Version: .*/Version: $upgrade_version/" "$tree/DEBIAN/control"
  echo "# upgrade-marker: the default configuration of $upgrade_version" >>"$tree/etc/rollcall/rollcall.toml"
  if [[ -f $tree/DEBIAN/md5sums ]]; then
    local sum
    sum=$(md5sum "$tree/etc/rollcall/rollcall.toml" | cut -d' ' -f1)
    sed -i "s|^[0-9a-f]*  etc/rollcall/rollcall.toml\$|$sum  etc/rollcall/rollcall.toml|" "$tree/DEBIAN/md5sums"
  fi
  dpkg-deb --root-owner-group -b "$tree" "$work/upgrade.deb" >/dev/null
  [[ $(dpkg-deb -f "$work/upgrade.deb" Version) == "$upgrade_version" ]] || die "repacking the upgrade failed"

  if [[ ${#as_root[@]} -eq 0 ]]; then
    own_work=1  # the install checks' clean-up removes it
    install_checks "$work" "$deb" "$work/upgrade.deb" "$version" "$upgrade_version"
  else
    "${as_root[@]}" "$0" --as-root "$work" "$deb" "$work/upgrade.deb" "$version" "$upgrade_version"
  fi
}

# =================================================================================================
# Phase 2, as root: install, check, run, upgrade, purge.
# =================================================================================================
unit=/usr/lib/systemd/system/rollcalld.service
wants_link=/etc/systemd/system/multi-user.target.wants/rollcalld.service
mask_link=/etc/systemd/system/rollcalld.service
dsh_state=(/var/lib/systemd/deb-systemd-helper-enabled/rollcalld.service.dsh-also
  /var/lib/systemd/deb-systemd-helper-enabled/multi-user.target.wants/rollcalld.service
  /var/lib/systemd/deb-systemd-helper-masked/rollcalld.service)
systemd_running() { [[ -d /run/systemd/system ]]; }

# dpkg ARGS...: its output on stdout; retried while another dpkg or apt holds the lock (other
# work on a shared machine may be installing packages).
dpkg_run() {
  local out rc=0 _
  for _ in $(seq 90); do
    rc=0
    out=$(DEBIAN_FRONTEND=noninteractive dpkg "$@" </dev/null 2>&1) || rc=$?
    if [[ $rc -ne 0 && $out == *"lock"* ]]; then
      sleep 2
      continue
    fi
    break
  done
  printf '%s\n' "$out"
  return "$rc"
}

installed() { dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; }

# as_rollcall CMD...: CMD as user rollcall the way systemd runs the service's processes: the
# user's groups, no new privileges, umask 077, an empty environment but for PATH (and what is
# given with env). setpriv, not runuser: runuser stays behind as the parent, and when it gets
# SIGTERM it kills its child with SIGKILL two seconds later.
as_rollcall() {
  (
    umask 077
    exec setpriv --reuid=rollcall --regid=rollcall --init-groups --no-new-privs -- \
      env -i PATH=/usr/bin:/bin "$@"
  )
}

# expect_stat PATH "OWNER:GROUP MODE TYPE"
expect_stat() {
  local got
  got=$(stat -c '%U:%G %a %F' -- "$1" 2>/dev/null) || die "missing: $1"
  [[ $got == "$2" ]] || die "$1 is '$got', expected '$2'"
}

expect_gone() {
  local p
  for p in "$@"; do
    [[ ! -e $p && ! -L $p ]] || die "still there after purge: $p"
  done
}

# wait_for SECONDS CMD...: until CMD succeeds.
wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

no_rollcall_processes() { ! pgrep -u rollcall >/dev/null 2>&1; }
daemon_gone() { ! kill -0 "$daemon_pid" 2>/dev/null; }

pg_bin() { ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1; }

cleanup() {
  local rc=$?
  set +e
  if [[ -n ${daemon_pid:-} ]] && kill -0 "$daemon_pid" 2>/dev/null; then
    kill -TERM "$daemon_pid"
    wait_for 30 daemon_gone || kill -KILL "$daemon_pid"
  fi
  [[ -n ${listener_pid:-} ]] && kill "$listener_pid" 2>/dev/null
  if systemd_running && systemctl -q is-active rollcalld.service 2>/dev/null; then
    systemctl stop rollcalld.service
  fi
  if [[ -n ${made_state:-} && -f /var/lib/rollcall/postgres/data/postmaster.pid ]]; then
    as_rollcall "$(pg_bin)/pg_ctl" -D /var/lib/rollcall/postgres/data -m immediate -w stop >/dev/null 2>&1
  fi
  local status
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)
  [[ -n $status && $status != *not-installed* ]] && dpkg_run --purge "$pkg" >/dev/null
  [[ -n ${made_state:-} ]] && rm -rf /var/lib/rollcall /run/rollcall
  rm -f /etc/rollcall/rollcall.env
  rmdir /etc/rollcall 2>/dev/null
  if [[ -n ${made_user:-} ]] && getent passwd rollcall >/dev/null; then userdel rollcall; fi
  if [[ -n ${made_group:-} ]] && getent group rollcall >/dev/null; then groupdel rollcall; fi
  [[ -n ${rw:-} ]] && rm -rf -- "$rw"
  [[ -n ${own_work:-} ]] && rm -rf -- "$work"
  ((rc == 0)) || echo "check_package.sh: FAILED (machine cleaned up)" >&2
  exit "$rc"
}

install_checks() {
  local deb=$2 upgrade_deb=$3 version=$4 upgrade_version=$5
  work=$1
  [[ $(id -u) -eq 0 ]] || die "the install checks need root"

  # One run at a time on this machine: the package, the user and the paths are global.
  exec 9>/run/lock/rollcall-package-test.lock
  flock -w 900 9 || die "another package test holds /run/lock/rollcall-package-test.lock"

  # Never touch a real installation.
  installed && die "the $pkg package is installed on this machine; this test would remove it"
  local p
  for p in /etc/rollcall /var/lib/rollcall /run/rollcall /usr/bin/rollcalld "$unit" /usr/local/bin/rollcalld; do
    [[ ! -e $p ]] || die "$p exists: rollcall is installed here (from source?); this test would destroy it"
  done
  getent passwd rollcall >/dev/null || made_user=1
  getent group rollcall >/dev/null || made_group=1
  trap cleanup EXIT
  rw=$(mktemp -d /tmp/rollcall-package-run-XXXXXX)
  chmod 711 "$rw"

  # --- install -------------------------------------------------------------------------------
  step "dpkg -i $(basename "$deb")"
  local out
  out=$(dpkg_run -i "$deb") || {
    printf '%s\n' "$out" >&2
    die "dpkg -i failed"
  }
  printf '%s\n' "$out"
  installed || die "$pkg is not installed after dpkg -i"
  [[ $(dpkg-query -W -f='${Version}' "$pkg") == "$version" ]] || die "installed version is not $version"
  # The default configuration passes --check-config: started (or, without systemd, told to start
  # it), and told how to make the first API token (tokens live in the database).
  grep -q "^rollcall: create the first API token with 'runuser -u rollcall -- rollcalld --config /etc/rollcall/rollcall.toml token create" <<<"$out" ||
    die "the postinst did not say how to create the first API token"
  if ! systemd_running; then
    grep -qx "rollcall: configured, but systemd is not running: .*" <<<"$out" ||
      die "the postinst did not count the default configuration as configured: $out"
  fi

  step "files, owners and modes"
  expect_stat /usr/bin/rollcalld "root:root 755 regular file"
  expect_stat /etc/rollcall "root:rollcall 750 directory"
  expect_stat /etc/rollcall/rollcall.toml "root:rollcall 640 regular file"
  expect_stat "$unit" "root:root 644 regular file"
  expect_stat /usr/share/doc/rollcall "root:root 755 directory"
  cmp -s /etc/rollcall/rollcall.toml "$src/config/rollcall.toml" || die "/etc/rollcall/rollcall.toml is not config/rollcall.toml"
  cmp -s "$unit" "$src/systemd/rollcalld.service" || die "$unit is not systemd/rollcalld.service"
  local doc
  for doc in "$src/README.md" "$src"/docs/*.md "$src/scripts/debian/copyright"; do
    expect_stat "/usr/share/doc/rollcall/$(basename "$doc")" "root:root 644 regular file"
    cmp -s "$doc" "/usr/share/doc/rollcall/$(basename "$doc")" || die "/usr/share/doc/rollcall/$(basename "$doc") differs"
  done
  expect_stat /usr/share/doc/rollcall/examples/rollcall.toml "root:root 644 regular file"
  for doc in "$src"/docs/sql/*.sql; do
    cmp -s "$doc" "/usr/share/doc/rollcall/sql/$(basename "$doc")" || die "/usr/share/doc/rollcall/sql/$(basename "$doc") differs"
  done
  # Everything under the prefix /usr or in /etc/rollcall; nothing under /usr/etc or /usr/local.
  local listed
  listed=$(dpkg -L "$pkg")
  if grep -vE '^(/\.|/usr(/.*)?|/etc|/etc/rollcall(/rollcall\.toml)?)$' <<<"$listed" | grep -q .; then
    die "unexpected paths in the package: $(grep -vE '^(/\.|/usr(/.*)?|/etc|/etc/rollcall(/rollcall\.toml)?)$' <<<"$listed")"
  fi
  grep -qE '^/usr/(etc|local)' <<<"$listed" && die "paths under /usr/etc or /usr/local: $listed"
  # The file the daemon runs is stripped (the build tree's may carry debug information).
  readelf -S /usr/bin/rollcalld | grep -qF .symtab && die "/usr/bin/rollcalld is not stripped"
  [[ $(/usr/bin/rollcalld --version) == "rollcalld ${version%-*}" ]] || die "rollcalld --version: $(/usr/bin/rollcalld --version)"

  step "conffile"
  dpkg-query -W -f='${Conffiles}\n' "$pkg" | grep -qE '^ /etc/rollcall/rollcall\.toml [0-9a-f]{32}$' ||
    die "dpkg-query lists no conffile /etc/rollcall/rollcall.toml: $(dpkg-query -W -f='${Conffiles}' "$pkg")"
  # Secrets may live there: other users cannot read it.
  if setpriv --reuid=nobody --regid=nogroup --clear-groups -- cat /etc/rollcall/rollcall.toml >/dev/null 2>&1; then
    die "user nobody can read /etc/rollcall/rollcall.toml"
  fi

  step "user and group rollcall"
  local entry uid shell home
  entry=$(getent passwd rollcall) || die "no user rollcall"
  IFS=: read -r _ _ uid _ _ home shell <<<"$entry"
  [[ $shell == /usr/sbin/nologin ]] || die "rollcall's shell is $shell, not /usr/sbin/nologin"
  [[ $home == /var/lib/rollcall ]] || die "rollcall's home is $home"
  ((uid < 1000)) || die "rollcall is not a system user (uid $uid)"
  [[ $(id -gn rollcall) == rollcall ]] || die "rollcall's primary group is $(id -gn rollcall)"

  step "unit enabled"
  if command -v deb-systemd-helper >/dev/null; then
    # deb-systemd-helper names the unit by its /lib path (merged /usr: the same file).
    [[ $(readlink -f "$wants_link") == "$(readlink -f "$unit")" ]] || die "$wants_link does not point at $unit"
  fi

  step "systemd-analyze on the installed unit"
  export SYSTEMD_COLORS=0 SYSTEMD_PAGER=cat
  local verify_out verify_rc=0
  verify_out=$(systemd-analyze verify --man=no --no-pager "$unit" 2>&1) || verify_rc=$?
  if [[ -n $verify_out || $verify_rc -ne 0 ]]; then
    printf '%s\n' "$verify_out" >&2
    die "systemd-analyze verify $unit failed (exit $verify_rc) or printed the output above"
  fi
  local security_out exposure
  security_out=$(systemd-analyze security --offline=true --no-pager "$unit" 2>&1) || {
    printf '%s\n' "$security_out" >&2
    die "systemd-analyze security failed"
  }
  exposure=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9][0-9]*\.[0-9]\).*/\1/p' <<<"$security_out")
  [[ -n $exposure && $exposure != *$'\n'* ]] || die "no exposure level in: $security_out"
  awk -v e="$exposure" -v m="$max_exposure" 'BEGIN { exit !(e > m) }' && die "exposure $exposure is above $max_exposure"
  echo "installed unit: verify clean, exposure $exposure"

  step "rollcalld --check-config as user rollcall"
  out=$(as_rollcall /usr/bin/rollcalld --config /etc/rollcall/rollcall.toml --check-config 2>&1) ||
    die "--check-config of the installed configuration failed as rollcall: $out"
  [[ $out == "configuration OK: /etc/rollcall/rollcall.toml" ]] || die "--check-config said: $out"

  step "the postinst's start rule"
  local postinst=/var/lib/dpkg/info/$pkg.postinst
  printf 'ROLLCALL_WEBHOOK_SECRET=""\n' >/etc/rollcall/rollcall.env
  out=$("$postinst" configure "$version" 2>&1)
  if systemd_running; then
    grep -q "^rollcall: configured, but" <<<"$out" && die "postinst: $out"
  else
    grep -qx "rollcall: configured, but systemd is not running: .*" <<<"$out" ||
      die "postinst with the default configuration did not count it as configured: $out"
  fi
  # The removed api.token, here from the environment file: refused by name, nothing restarted.
  printf 'ROLLCALL_API_TOKEN="from-the-env-file"\n' >/etc/rollcall/rollcall.env
  out=$("$postinst" configure "$version" 2>&1)
  grep -q "^rollcall: rollcalld not (re)started: .*ROLLCALL_API_TOKEN.*token create" <<<"$out" ||
    die "postinst with ROLLCALL_API_TOKEN did not refuse it by name: $out"
  rm -f /etc/rollcall/rollcall.env
  cp -p /etc/rollcall/rollcall.toml "$rw/pristine.toml"
  echo "no_such_key = 1" >>/etc/rollcall/rollcall.toml
  out=$("$postinst" configure "$version" 2>&1)
  cp -p "$rw/pristine.toml" /etc/rollcall/rollcall.toml
  grep -q "^rollcall: rollcalld not (re)started: /etc/rollcall/rollcall.toml does not pass --check-config (.*no_such_key" <<<"$out" ||
    die "postinst with a bad key did not refuse, naming it: $out"
  rm -f /etc/rollcall/rollcall.env
  systemd_running && systemctl stop rollcalld.service 2>/dev/null

  # --- run as systemd would ------------------------------------------------------------------
  step "rollcalld as user rollcall with a NOTIFY_SOCKET"
  # What StateDirectory=rollcall (0700) and RuntimeDirectory=rollcall (0700) create.
  made_state=1
  install -d -o rollcall -g rollcall -m 0700 /var/lib/rollcall /run/rollcall
  sed -e 's/^port = 8080$/port = 0/' -e 's|^port_file = ""$|port_file = "/run/rollcall/port"|' \
    /etc/rollcall/rollcall.toml >"$rw/rollcall.toml"
  grep -qx 'port = 0' "$rw/rollcall.toml" && grep -qx 'port_file = "/run/rollcall/port"' "$rw/rollcall.toml" ||
    die "config/rollcall.toml changed shape: port or port_file not found"
  chown root:rollcall "$rw/rollcall.toml"
  chmod 0640 "$rw/rollcall.toml"

  local sock=$rw/notify.sock notify_log=$rw/notify.log
  /usr/bin/python3 - "$sock" "$notify_log" <<'PY' &
# A Type=notify service's socket, as systemd binds it: one datagram per sd_notify call.
import socket, sys
path, log = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
with open(log, "a", buffering=1) as out:
    out.write("LISTENING\n")
    while True:
        for line in s.recv(4096).decode(errors="replace").splitlines():
            out.write(line + "\n")
PY
  listener_pid=$!
  wait_for 10 grep -qx LISTENING "$notify_log" 2>/dev/null || die "the notify listener did not start"
  chown rollcall:rollcall "$sock"

  # As as_rollcall, but the background job must be rollcalld itself (exec), so that $! is its pid.
  (
    umask 077
    exec setpriv --reuid=rollcall --regid=rollcall --init-groups --no-new-privs -- \
      env -i PATH=/usr/bin:/bin NOTIFY_SOCKET="$sock" /usr/bin/rollcalld --config "$rw/rollcall.toml"
  ) >"$rw/daemon.log" 2>&1 &
  daemon_pid=$!
  daemon_up() {
    kill -0 "$daemon_pid" 2>/dev/null || {
      cat "$rw/daemon.log" >&2
      die "rollcalld exited before READY=1"
    }
    grep -qx READY=1 "$notify_log"
  }
  wait_for 120 daemon_up || {
    cat "$rw/daemon.log" >&2
    die "no READY=1 within 120 s (notify: $(tr '\n' ' ' <"$notify_log"))"
  }
  local port code
  port=$(cat /run/rollcall/port)
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz")
  [[ $code == 200 ]] || die "/readyz answered $code"
  # The first API token, made as docs/operations.md says, beside the running daemon (its
  # embedded cluster); the secret is all the command prints on stdout.
  local token
  token=$(setpriv --reuid=rollcall --regid=rollcall --init-groups --no-new-privs -- \
    env -i PATH=/usr/bin:/bin /usr/bin/rollcalld --config "$rw/rollcall.toml" token create --name package-test \
    --role admin 2>>"$rw/token.log") || die "rollcalld token create failed: $(cat "$rw/token.log")"
  [[ $token =~ ^[A-Za-z0-9_-]{43}$ ]] || die "rollcalld token create printed '$token', not one secret"
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "http://127.0.0.1:$port/v1/sites")
  [[ $code == 200 ]] || die "GET /v1/sites with the created token answered $code"
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer wrong-$token" "http://127.0.0.1:$port/v1/sites")
  [[ $code == 401 ]] || die "GET /v1/sites with a wrong token answered $code"
  expect_stat /var/lib/rollcall/postgres/data/PG_VERSION "rollcall:rollcall 600 regular file"
  [[ -S /var/lib/rollcall/postgres/socket/.s.PGSQL.5432 ]] || die "no embedded cluster socket in /var/lib/rollcall/postgres/socket"
  echo "READY=1 and /readyz 200 on port $port"

  kill -TERM "$daemon_pid"
  local status=0
  wait_for 60 daemon_gone || die "rollcalld did not exit within 60 s of SIGTERM"
  wait "$daemon_pid" || status=$?
  daemon_pid=
  ((status == 0)) || {
    cat "$rw/daemon.log" >&2
    die "rollcalld exited $status after SIGTERM"
  }
  grep -qx STOPPING=1 "$notify_log" || die "no STOPPING=1 (notify: $(tr '\n' ' ' <"$notify_log"))"
  wait_for 10 no_rollcall_processes || die "processes of rollcall still running: $(pgrep -a -u rollcall)"
  [[ ! -f /var/lib/rollcall/postgres/data/postmaster.pid ]] || die "the embedded cluster was not stopped"
  echo "SIGTERM: STOPPING=1, exit 0, the embedded cluster stopped"
  kill "$listener_pid" 2>/dev/null
  listener_pid=

  # --- upgrade over an edited conffile ----------------------------------------------------------
  step "edit the conffile, upgrade to $upgrade_version with --force-confold"
  sed -i -e 's/^level = "info"$/level = "debug"/' -e 's/^port = 8080$/port = 0/' \
    -e 's|^port_file = ""$|port_file = "/run/rollcall/port"|' /etc/rollcall/rollcall.toml
  grep -qx 'level = "debug"' /etc/rollcall/rollcall.toml || die "could not edit the conffile"
  out=$(dpkg_run -i --force-confold "$upgrade_deb") || {
    printf '%s\n' "$out" >&2
    die "dpkg -i --force-confold $(basename "$upgrade_deb") failed"
  }
  printf '%s\n' "$out"
  [[ $(dpkg-query -W -f='${Version}' "$pkg") == "$upgrade_version" ]] || die "the upgrade did not install $upgrade_version"
  grep -qx 'level = "debug"' /etc/rollcall/rollcall.toml || die "the upgrade lost the administrator's edit"
  grep -q "upgrade-marker" /etc/rollcall/rollcall.toml && die "the upgrade replaced the edited conffile"
  grep -q "upgrade-marker" /etc/rollcall/rollcall.toml.dpkg-dist ||
    die "the new default configuration is not in /etc/rollcall/rollcall.toml.dpkg-dist"
  expect_stat /etc/rollcall/rollcall.toml "root:rollcall 640 regular file"
  # Configured: started when systemd runs, else told to start it.
  if systemd_running; then
    step "systemd: the postinst started rollcalld"
    wait_for 120 systemctl -q is-active rollcalld.service || die "rollcalld.service is not active: $(systemctl status rollcalld.service 2>&1 | tail -n 20)"
    systemctl stop rollcalld.service
    systemctl start rollcalld.service || die "systemctl start rollcalld failed: $(journalctl -u rollcalld -n 30 2>&1)"
    wait_for 120 systemctl -q is-active rollcalld.service || die "rollcalld.service did not become active"
    port=$(cat /run/rollcall/port)
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz")
    [[ $code == 200 ]] || die "/readyz of the service answered $code"
    echo "systemctl start: active, /readyz 200"
  else
    grep -qx "rollcall: configured, but systemd is not running: .*" <<<"$out" ||
      die "after the upgrade the postinst did not report it configured"
    echo "PID 1 is not systemd here: systemctl start not tried on the host"
    # Instead: this machine's own Debian booted under systemd in a container, with the
    # installed package, its unit and the edited config.
    step "boot under systemd (systemd-nspawn): start, security, reload, watchdog, stop"
    "$script_dir/boot_under_systemd.sh" || die "the installed unit did not work under systemd"
  fi

  # --- purge ---------------------------------------------------------------------------------
  step "dpkg --purge"
  out=$(dpkg_run --purge "$pkg") || {
    printf '%s\n' "$out" >&2
    die "dpkg --purge failed"
  }
  printf '%s\n' "$out"
  installed && die "$pkg is still installed"
  expect_gone /usr/bin/rollcalld "$unit" /etc/rollcall /usr/share/doc/rollcall /usr/share/rollcall "$wants_link" \
    "$mask_link" "${dsh_state[@]}"
  wait_for 10 no_rollcall_processes || die "processes of rollcall still running: $(pgrep -a -u rollcall)"
  systemd_running && systemctl -q is-active rollcalld.service && die "rollcalld.service is still active"
  # Kept on purge (docs/install.md): the data, and the user owning it.
  [[ -d /var/lib/rollcall/postgres/data ]] || die "purge deleted /var/lib/rollcall"
  grep -q "^rollcall: /var/lib/rollcall kept" <<<"$out" || die "purge did not say /var/lib/rollcall was kept"
  getent passwd rollcall >/dev/null || die "purge deleted the user rollcall"
  echo "package_install: all checks passed"
}

if [[ ${1:-} == --as-root ]]; then
  shift
  install_checks "$@"
else
  build_packages "$@"
fi
