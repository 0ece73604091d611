#!/usr/bin/env bash
# ctest "package": builds the .deb with cpack from the existing build dir, installs it with dpkg,
# checks what it put in place (binary on PATH, unit verified by systemd-analyze, man page,
# completion, example config, user, /etc/bgpfa), removes it and checks the binary is gone.
# Usage: package_deb.sh BUILD_DIR VERSION. Exit 77 (skipped) when not root or without dpkg.
set -euo pipefail
build="$1" version="$2"
[[ $(id -u) -eq 0 ]] || { echo "SKIP: needs root to dpkg -i"; exit 77; }
for tool in dpkg dpkg-deb cpack; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done
if dpkg-query -W -f='${Status}' bgpfa 2>/dev/null | grep -q "install ok installed"; then
  echo "SKIP: a bgpfa package is already installed here; not replacing it"; exit 77
fi
out="$(mktemp -d /tmp/bgpfa-package.XXXXXX)"
installed=0
cleanup() {
  if ((installed)) && dpkg-query -W -f='${Status}' bgpfa 2>/dev/null | grep -q "install ok installed"; then
    dpkg -r bgpfa >/dev/null || true
  fi
  rm -rf "$out"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

(cd "$out" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$out" >"$out/cpack.log" 2>&1) ||
  { cat "$out/cpack.log"; fail "cpack -G DEB"; }
debs=("$out"/bgpfa_*.deb)
[[ -f "${debs[0]}" ]] || { cat "$out/cpack.log"; fail "cpack wrote no bgpfa_*.deb"; }
deb="${debs[0]}"
echo "built $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB)"
[[ "$(dpkg-deb -f "$deb" Package)" == bgpfa ]] || fail "Package is not bgpfa"
[[ "$(dpkg-deb -f "$deb" Version)" == "$version" ]] || fail "Version $(dpkg-deb -f "$deb" Version), expected $version"
[[ -n "$(dpkg-deb -f "$deb" Maintainer)" ]] || fail "no Maintainer"
depends="$(dpkg-deb -f "$deb" Depends)"
[[ "$depends" == *"systemd | adduser"* && "$depends" == *libc6* && "$depends" == *libgrpc* && "$depends" == *libsystemd0* ]] ||
  fail "Depends lacks systemd | adduser or (from dpkg-shlibdeps) libc6/libgrpc/libsystemd0: $depends"

dpkg -i "$deb" >"$out/dpkg-i.log" 2>&1 || { cat "$out/dpkg-i.log"; fail "dpkg -i"; }
installed=1
unit=/usr/lib/systemd/system/bgpfa.service
for f in /usr/bin/bgpfa /usr/libexec/bgpfa/bgpfa-live /usr/share/man/man8/bgpfa.8 /usr/share/bash-completion/completions/bgpfa \
         /usr/share/doc/bgpfa/bgpfa.conf.example "$unit" /usr/lib/sysusers.d/bgpfa.conf; do
  [[ -f "$f" ]] || fail "$f is not installed"
done
[[ -d /etc/bgpfa ]] || fail "postinst did not create /etc/bgpfa"
getent passwd bgpfa >/dev/null || fail "postinst did not create the user bgpfa"
[[ "$(env PATH=/usr/sbin:/usr/bin:/sbin:/bin bgpfa --version)" == "bgpfa $version" ]] || fail "bgpfa --version from PATH"
grep -qx "ExecStart=/usr/bin/bgpfa serve -c /etc/bgpfa/bgpfa.conf --capture /var/lib/bgpfa/capture" "$unit" ||
  fail "the unit does not start /usr/bin/bgpfa: $(grep ExecStart= "$unit")"
# bgpfa hands the gRPC commands to the installed bgpfa-live: a client's error is the connection's.
client_err="$(bgpfa summary -s unix:/nonexistent/bgpfa.sock 2>&1 >/dev/null || true)"
[[ "$client_err" == *"not reachable"* ]] || fail "bgpfa summary did not reach bgpfa-live's client: $client_err"
# The example configuration is valid as shipped (its capture directory may not exist yet).
bgpfa check-config /usr/share/doc/bgpfa/bgpfa.conf.example || fail "the example configuration does not check"
if command -v systemd-analyze >/dev/null; then
  systemd-analyze verify "$unit" >"$out/verify.log" 2>&1 || { cat "$out/verify.log"; fail "systemd-analyze verify $unit"; }
  if grep -v "^$" "$out/verify.log"; then fail "systemd-analyze verify printed warnings"; fi
else
  echo "systemd-analyze is not installed: unit not verified"
fi
if command -v man >/dev/null; then
  [[ "$(man -w bgpfa)" == /usr/share/man/man8/bgpfa.8* ]] || fail "man -w bgpfa: $(man -w bgpfa 2>&1)"
else
  echo "man is not installed: man -w not checked"
fi
bash -c 'source /usr/share/bash-completion/completions/bgpfa && complete -p bgpfa' >/dev/null ||
  fail "the bash completion does not register for bgpfa"

dpkg -r bgpfa >"$out/dpkg-r.log" 2>&1 || { cat "$out/dpkg-r.log"; fail "dpkg -r"; }
installed=0
[[ ! -e /usr/bin/bgpfa ]] || fail "/usr/bin/bgpfa is still there after dpkg -r"
[[ ! -e /usr/libexec/bgpfa/bgpfa-live ]] || fail "/usr/libexec/bgpfa/bgpfa-live is still there after dpkg -r"
[[ ! -e "$unit" ]] || fail "$unit is still there after dpkg -r"
echo "ok: bgpfa $version installed, checked and removed"
