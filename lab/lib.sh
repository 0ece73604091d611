# Lab harness: network namespaces joined by veth pairs, daemons started inside them, and
# cleanup of everything this test made (by namespace name and pid), also on failure.
# Source it; call lab_init NAME first. Needs root, iproute2 and the daemons under test.
# Namespaces are bgpfa-NAME-PID-*; LAB_NS_PREFIX=P makes them P-NAME-PID-*.
set -euo pipefail

lab_init() {
  LAB_ID="${1}-$$"
  LAB_DIR=$(mktemp -d "/tmp/bgpfa-lab-${LAB_ID}.XXXX")
  LAB_NS=()
  LAB_PIDS=()
  trap lab_cleanup EXIT
  trap 'echo "FAILED at ${BASH_SOURCE[0]}:${LINENO}: ${BASH_COMMAND}" >&2' ERR
  if [[ $(id -u) -ne 0 ]]; then echo "SKIP: lab tests need root (network namespaces)"; exit 0; fi
  command -v ip >/dev/null || { echo "SKIP: iproute2 missing"; exit 0; }
}

lab_cleanup() {
  local rc=$?
  for pid in "${LAB_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  sleep 0.2
  for pid in "${LAB_PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  # By name prefix: lab_ns runs in $(...) subshells, so LAB_NS alone does not see every namespace.
  for ns in "${LAB_NS[@]}" $(ip netns list 2>/dev/null | awk -v p="${LAB_NS_PREFIX:-bgpfa}-${LAB_ID}-" 'index($1, p) == 1 {print $1}'); do
    ip netns del "$ns" 2>/dev/null || true
  done
  if ip netns list 2>/dev/null | grep -q "^${LAB_NS_PREFIX:-bgpfa}-${LAB_ID}-"; then
    echo "lab cleanup: namespaces left behind: $(ip netns list | grep "^${LAB_NS_PREFIX:-bgpfa}-${LAB_ID}-" | tr '\n' ' ')" >&2
    rc=1
  fi
  if [[ $rc -ne 0 ]]; then
    echo "--- lab logs ($LAB_DIR) ---"
    for f in "$LAB_DIR"/*.log "$LAB_DIR"/*.json; do [[ -f $f ]] && { echo "== $f"; tail -c 6000 "$f"; echo; }; done
  fi
  rm -rf "$LAB_DIR"
  exit $rc
}

# lab_ns SHORT -> creates namespace "bgpfa-<id>-SHORT" with lo up; prints its name (cleanup
# finds it by that prefix, so calling it in $(...) is fine)
lab_ns() {
  local ns="${LAB_NS_PREFIX:-bgpfa}-${LAB_ID}-$1"
  ip netns add "$ns"
  LAB_NS+=("$ns")
  ip -n "$ns" link set lo up
  echo "$ns"
}

# lab_need PROGRAM...: the test is skipped (exit 0) unless every program is installed
lab_need() {
  local p
  for p in "$@"; do command -v "$p" >/dev/null || { echo "SKIP: $p is not installed"; exit 0; }; done
}

# lab_link NS_A ADDR_A NS_B ADDR_B [ADDR6_A ADDR6_B]: a veth pair between two namespaces
# (addresses with /len; IPv6 ones added without duplicate address detection); prints the names
lab_link() {
  local a="va$$$RANDOM" b="vb$$$RANDOM"
  a=${a:0:15}; b=${b:0:15}
  ip link add "$a" type veth peer name "$b"
  ip link set "$a" netns "$1"
  ip link set "$b" netns "$3"
  ip -n "$1" addr add "$2" dev "$a"
  ip -n "$3" addr add "$4" dev "$b"
  if (($# >= 6)); then
    ip -n "$1" addr add "$5" dev "$a" nodad
    ip -n "$3" addr add "$6" dev "$b" nodad
  fi
  ip -n "$1" link set "$a" up
  ip -n "$3" link set "$b" up
  echo "$a $b"
}

# lab_spawn NS LOGNAME CMD...: runs CMD inside NS in the background, remembers its pid
lab_spawn() {
  local ns=$1 log=$2
  shift 2
  ip netns exec "$ns" "$@" >"$LAB_DIR/$log.log" 2>&1 &
  LAB_PIDS+=($!)
  echo $!
}

# lab_wait SECONDS CMD...: polls CMD until it succeeds
lab_wait() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then echo "timeout waiting for: $*" >&2; return 1; fi
    sleep 0.3
  done
}

# lab_frr NS NAME CONFIG_TEXT: FRR bgpd without zebra; vtysh via lab_vtysh NAME
lab_frr() {
  local ns=$1 name=$2
  mkdir -p "$LAB_DIR/$name"
  printf '%s\n' "$3" >"$LAB_DIR/$name/bgpd.conf"
  chmod -R a+rwx "$LAB_DIR/$name"
  lab_spawn "$ns" "$name" /usr/lib/frr/bgpd -Z -S -f "$LAB_DIR/$name/bgpd.conf" -i "$LAB_DIR/$name/bgpd.pid" \
    --vty_socket "$LAB_DIR/$name" -A 127.0.0.1 -P 0 --log stdout >/dev/null
}
# lab_bfdd NS NAME: FRR bfdd without zebra, from $LAB_DIR/NAME/bfdd.conf (static peers; it keeps
# retrying zserv.api, which does not matter for them). It drops to the frr user, so the lab
# directory must be reachable by it.
lab_bfdd() {
  local ns=$1 name=$2
  chmod a+x "$LAB_DIR"
  chmod -R a+rwx "$LAB_DIR/$name"
  lab_spawn "$ns" bfdd /usr/lib/frr/bfdd -f "$LAB_DIR/$name/bfdd.conf" -i "$LAB_DIR/$name/bfdd.pid" \
    --vty_socket "$LAB_DIR/$name" --bfdctl "$LAB_DIR/$name/bfdd.sock" -z "$LAB_DIR/$name/zserv.api" -A 127.0.0.1 -P 0 \
    --log stdout >/dev/null
}
lab_vtysh() {
  local name=$1
  shift
  vtysh --vty_socket "$LAB_DIR/$name" "$@"
}
