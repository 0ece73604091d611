# shellcheck shell=bash
# Failover lab: brings up a topology of lab/topologies/*.topo and drives failures in it.
#
# A topology file is a short declarative shell file sourced here; its statements are the
# functions below (node, link, addr, addr6, frr, bfdd, bgpfa_config, query). Every namespace is named
# flab-TAG-NODE (TAG: "run" for lab/run, "tPID" for a test; FLAB_NS_PREFIX=P makes it
# P-TAG-NODE, so that labs run side by side on one machine stay apart), every process started is
# remembered, and topo_down removes all of it, also when a step fails.
#
# bgpfa stands where the cloud gateways stand (node "azure": `bgpfa serve`, with dumpcap on the
# cloud side of every link as ground truth); FRR's bgpd (-Z, no zebra) and bfdd play the edge
# routers and on-premises devices.
set -euo pipefail

TOPO_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# topo_init TAG DIR: state for one bring-up (DIR is created; its contents are removed by
# topo_down unless TOPO_KEEP=1).
topo_init() {
  TOPO_TAG=$1
  TOPO_DIR=$2
  mkdir -p "$TOPO_DIR"
  chmod a+rx "$TOPO_DIR"
  : >"$TOPO_DIR/pids"
  : >"$TOPO_DIR/links"
  : >"$TOPO_DIR/nodes"
  : >"$TOPO_DIR/query"
}

topo_ns_prefix() { echo "${FLAB_NS_PREFIX:-flab}-${TOPO_TAG}-"; }
topo_ns() { echo "$(topo_ns_prefix)$1"; }

# --- statements of a topology file ---------------------------------------------------------

# describe TEXT: one line saying what the topology is
describe() { echo "$*" >"$TOPO_DIR/description"; }

# node NAME: a namespace with lo up
node() {
  local ns
  ns=$(topo_ns "$1")
  ip netns add "$ns"
  echo "$1" >>"$TOPO_DIR/nodes"
  ip -n "$ns" link set lo up
}

# link NAME NODE_A ADDR_A NODE_B ADDR_B: a veth pair called NAME at both ends (names are per
# namespace); NODE_A is the cloud side when one end is "azure" (its end is captured). An ADDR
# is what `ip addr add` takes: "10.0.0.1/30", or point-to-point "10.12.255.4 peer 10.12.255.61"
# (a tunnel-like link: one gateway address can then face several devices); addr6 adds IPv6 ones
link() {
  local name=$1 a=$2 addr_a=$3 b=$4 addr_b=$5
  ip -n "$(topo_ns "$a")" link add "$name" type veth peer name "$name" netns "$(topo_ns "$b")"
  # shellcheck disable=SC2086 # "A peer B" is three words
  ip -n "$(topo_ns "$a")" addr add $addr_a dev "$name"
  # shellcheck disable=SC2086
  ip -n "$(topo_ns "$b")" addr add $addr_b dev "$name"
  ip -n "$(topo_ns "$a")" link set "$name" up
  ip -n "$(topo_ns "$b")" link set "$name" up
  echo "$name $a $b ${addr_a%% *} ${addr_b%% *}" >>"$TOPO_DIR/links"
}

# addr NODE LINK ADDR: one more address on a link's end (a second VPN instance address). With
# promote_secondaries, removing the first address (an instance failing) keeps this one.
addr() {
  ip netns exec "$(topo_ns "$1")" sysctl -qw "net.ipv4.conf.$2.promote_secondaries=1"
  ip -n "$(topo_ns "$1")" addr add "$3" dev "$2"
}

# addr6 NODE LINK ADDR: an IPv6 address on a link's end (dual stack), usable at once (no
# duplicate address detection) and kept while the link is down (a cut link comes back with it)
addr6() {
  ip netns exec "$(topo_ns "$1")" sysctl -qw "net.ipv6.conf.$2.keep_addr_on_down=1"
  ip -n "$(topo_ns "$1")" addr add "$3" dev "$2" nodad
}

# frr NODE < bgpd.conf: the node's bgpd configuration (started by topo_up)
frr() {
  mkdir -p "$TOPO_DIR/$1"
  cat >"$TOPO_DIR/$1/bgpd.conf"
}

# bfdd NODE < bfdd.conf: the node also runs FRR's bfdd (static peers)
bfdd() {
  mkdir -p "$TOPO_DIR/$1"
  cat >"$TOPO_DIR/$1/bfdd.conf"
}

# bgpfa_config < bgpfa.conf: the cloud side's configuration
bgpfa_config() { cat >"$TOPO_DIR/bgpfa.conf"; }

# query TEXT: a line lab/run prints under "try"
query() { echo "$*" >>"$TOPO_DIR/query"; }

# --- bring-up and teardown -----------------------------------------------------------------

topo_remember() { echo "$1 $2" >>"$TOPO_DIR/pids"; }  # NAME PID

# topo_spawn NAME NODE CMD...: CMD in NODE's namespace, in the background, logged to NAME.log
topo_spawn() {
  local name=$1 ns
  ns=$(topo_ns "$2")
  shift 2
  ip netns exec "$ns" "$@" >"$TOPO_DIR/$name.log" 2>&1 &
  topo_remember "$name" $!
  disown $!  # killed on purpose (topo_kill): no "Killed" notice from the shell
}

topo_pid() { awk -v n="$1" '$1 == n {p = $2} END {print p}' "$TOPO_DIR/pids"; }

topo_start_bgpd() {
  local n=$1 d="$TOPO_DIR/$1"
  chmod -R a+rwx "$d"
  topo_spawn "bgpd-$n" "$n" /usr/lib/frr/bgpd -Z -S -f "$d/bgpd.conf" -i "$d/bgpd.pid" --vty_socket "$d" \
    -A 127.0.0.1 -P 0 --log stdout
}

topo_start_bfdd() {
  local n=$1 d="$TOPO_DIR/$1"
  chmod -R a+rwx "$d"
  topo_spawn "bfdd-$n" "$n" /usr/lib/frr/bfdd -f "$d/bfdd.conf" -i "$d/bfdd.pid" --vty_socket "$d" \
    --bfdctl "$d/bfdd.sock" -z "$d/zserv.api" -A 127.0.0.1 -P 0 --log stdout
}

# topo_vtysh NODE ARGS...: vtysh of the node's bgpd (and bfdd)
topo_vtysh() {
  local n=$1
  shift
  vtysh --vty_socket "$TOPO_DIR/$n" "$@"
}

# topo_up BGPFA FILE: builds the topology of FILE, starts dumpcap on the cloud side of every
# link, bgpfa serve in "azure", and the FRR daemons; returns once bgpfa's gRPC answers.
topo_up() {
  TOPO_BGPFA=$1
  local file=$2 name n
  # shellcheck source=/dev/null
  source "$file"
  [[ -s "$TOPO_DIR/bgpfa.conf" ]] || { echo "$file: no bgpfa_config" >&2; return 1; }
  while read -r name a _; do
    [[ $a == azure ]] || continue
    topo_spawn "dumpcap-$name" azure dumpcap -q -i "$name" -f "tcp port 179" -w "$TOPO_DIR/$name.pcapng"
  done <"$TOPO_DIR/links"
  # dumpcap must be capturing before the first SYN
  while read -r name a _; do
    [[ $a == azure ]] || continue
    topo_wait 10 grep -q "Capturing on" "$TOPO_DIR/dumpcap-$name.log"
  done <"$TOPO_DIR/links"
  mkdir -p "$TOPO_DIR/capture"
  topo_spawn bgpfa azure "$TOPO_BGPFA" serve -c "$TOPO_DIR/bgpfa.conf" --grpc 127.0.0.1:50051 \
    --capture "$TOPO_DIR/capture" --state-file "$TOPO_DIR/state" --report json -o "$TOPO_DIR/report.json"
  while read -r n; do
    [[ -f "$TOPO_DIR/$n/bfdd.conf" ]] && topo_start_bfdd "$n"
    [[ -f "$TOPO_DIR/$n/bgpd.conf" ]] && topo_start_bgpd "$n"
  done <"$TOPO_DIR/nodes"
  topo_wait 20 topo_bgpfa summary
}

# topo_down: stops every process of the bring-up (SIGTERM, so bgpfa writes its report; then
# SIGKILL) and deletes every flab-TAG-* namespace (topo_ns_prefix)
topo_down() {
  local name pid ns left prefix
  prefix=$(topo_ns_prefix)
  if [[ -f "$TOPO_DIR/pids" ]]; then
    while read -r name pid; do kill -TERM "$pid" 2>/dev/null || true; done <"$TOPO_DIR/pids"
    for _ in $(seq 50); do
      left=0
      while read -r name pid; do kill -0 "$pid" 2>/dev/null && left=1; done <"$TOPO_DIR/pids"
      ((left)) || break
      sleep 0.1
    done
    while read -r name pid; do kill -KILL "$pid" 2>/dev/null || true; done <"$TOPO_DIR/pids"
    : >"$TOPO_DIR/pids"
  fi
  for ns in $(ip netns list 2>/dev/null | awk -v p="$prefix" 'index($1, p) == 1 {print $1}'); do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
  done
  left=$(ip netns list 2>/dev/null | awk -v p="$prefix" 'index($1, p) == 1 {print $1}' | tr '\n' ' ')
  if [[ -n $left ]]; then
    echo "topo_down: namespaces left behind: $left" >&2
    return 1
  fi
}

# topo_wait SECONDS CMD...: polls CMD (every 0.1 s) until it succeeds
topo_wait() {
  local deadline
  deadline=$(($(date +%s%N) + $1 * 1000000000))
  shift
  until "$@" >/dev/null 2>&1; do
    if (($(date +%s%N) >= deadline)); then echo "timeout waiting for: $*" >&2; return 1; fi
    sleep 0.1
  done
}

# --- failures ------------------------------------------------------------------------------

topo_now() { date +%s.%N; }

# Each failure prints the harness's clock right before and right after the command that makes
# it (ground truth: the failure happened between the two).
# topo_link_down LINK / topo_link_up LINK: the link's far end (the router's) goes down or up
topo_link_far() { awk -v n="$1" '$1 == n {print $3}' "$TOPO_DIR/links"; }
topo_link_down() {
  local far
  far=$(topo_link_far "$1")
  local t
  t=$(topo_now)
  ip -n "$(topo_ns "$far")" link set "$1" down
  echo "$t $(topo_now)"
}
topo_link_up() { ip -n "$(topo_ns "$(topo_link_far "$1")")" link set "$1" up; }

# topo_kill NODE: SIGKILL of the node's bgpd (and bfdd); topo_restart NODE starts them again
topo_kill() {
  local n=$1 t pid
  t=$(topo_now)
  for d in bgpd bfdd; do
    pid=$(topo_pid "$d-$n")
    [[ -n $pid ]] && kill -KILL "$pid" 2>/dev/null || true
  done
  echo "$t $(topo_now)"
}
topo_restart() {
  local n=$1
  [[ -f "$TOPO_DIR/$n/bfdd.conf" ]] && topo_start_bfdd "$n"
  [[ -f "$TOPO_DIR/$n/bgpd.conf" ]] && topo_start_bgpd "$n"
  return 0
}

# topo_bgp NODE ASN LINE...: configuration lines under `router bgp ASN` of the node, at once
topo_bgp() {
  local n=$1 asn=$2 t
  shift 2
  local args=(-c "configure terminal" -c "router bgp $asn")
  local l
  for l in "$@"; do args+=(-c "$l"); done
  t=$(topo_now)
  topo_vtysh "$n" "${args[@]}" >/dev/null
  echo "$t $(topo_now)"
}

# topo_addr_del NODE LINK ADDR / topo_addr_add: an address disappears (a VPN gateway instance
# goes away: packets to it are dropped without a reset, as when the instance fails)
topo_addr_del() {
  local t
  t=$(topo_now)
  ip -n "$(topo_ns "$1")" addr del "$3" dev "$2"
  echo "$t $(topo_now)"
}
topo_addr_add() { ip -n "$(topo_ns "$1")" addr add "$3" dev "$2"; }

# --- queries -------------------------------------------------------------------------------

# topo_paths: every prefix's carrying paths as `bgpfa paths --json` gives them
topo_paths() { topo_bgpfa paths --json; }
# topo_bgpfa ARGS...: a bgpfa client subcommand against the lab's serve (gRPC on 127.0.0.1:50051
# inside the azure namespace)
topo_bgpfa() { ip netns exec "$(topo_ns azure)" "$TOPO_BGPFA" "$@"; }
topo_established() { [[ $(grep -c " Established " "$TOPO_DIR/state" 2>/dev/null) -eq $1 ]]; }
# topo_sessions_up: every session in bgpfa's state file is Established
topo_sessions_up() { [[ -s "$TOPO_DIR/state" ]] && ! grep -qv " Established " "$TOPO_DIR/state"; }

# --- failure tests -------------------------------------------------------------------------

# fo_test NAME BGPFA TOPOLOGY: a test's bring-up (tag tPID, removed at exit, logs printed when
# a step fails); needs root, FRR, dumpcap and tshark, else the test is skipped
fo_test() {
  FO_NAME=$1
  if [[ $(id -u) -ne 0 ]]; then echo "SKIP: lab tests need root (network namespaces)"; exit 0; fi
  local p
  for p in ip /usr/lib/frr/bgpd /usr/lib/frr/bfdd vtysh dumpcap tshark python3; do
    command -v "$p" >/dev/null || { echo "SKIP: $p is not installed"; exit 0; }
  done
  FO_START=$SECONDS
  topo_init "t$$" "$(mktemp -d "/tmp/flab-t$$.XXXX")"
  trap fo_cleanup EXIT
  trap 'echo "FAILED at ${BASH_SOURCE[0]}:${LINENO}: ${BASH_COMMAND}" >&2' ERR
  : >"$TOPO_DIR/steps.tsv"
  topo_up "$2" "$3"
  topo_wait 60 topo_sessions_up
  echo "ok: $(cat "$TOPO_DIR/description")"
}

fo_cleanup() {
  local rc=$? f
  topo_down || rc=1
  if ((rc != 0)); then
    echo "--- lab logs ($TOPO_DIR) ---"
    for f in "$TOPO_DIR"/*.log "$TOPO_DIR/state"; do [[ -f $f ]] && { echo "== $f"; tail -c 4000 "$f"; echo; }; done
  fi
  if [[ -n ${FLAB_KEEP:-} ]]; then echo "kept: $TOPO_DIR"; else rm -rf "$TOPO_DIR"; fi
  exit $rc
}

fo_paths_match() { topo_paths | python3 "$TOPO_LIB_DIR/failover_check.py" paths "$@"; }

# fo_expect LABEL EXPECT...: waits (up to 30 s) until every prefix's carrying paths, as
# `bgpfa paths --json` gives them, are EXPECT (failover_check.py paths)
fo_expect() {
  local label=$1
  shift
  if ! topo_wait 30 fo_paths_match "$@"; then
    fo_paths_match "$@" || true
    echo "FAILED: $label" >&2
    return 1
  fi
  echo "ok: $label: $(printf '%s\n' "$@" | sed 's/^[^=]*=//' | sort | uniq -c | awk '{printf "%s%d x %s", (NR > 1 ? ", " : ""), $1, $2}')"
}

# fo_quiet: waits out bgpfa's quiet period (and a margin), so that the next failure starts an
# episode of its own instead of joining the last one
fo_quiet() {
  local q
  q=$(sed -n 's/^ *quiet-period \([0-9.]*\)\(ms\|s\).*/\1 \2/p' "$TOPO_DIR/bgpfa.conf")
  sleep "$(python3 -c "v, u = '${q:-5 s}'.split(); print(float(v) / (1000 if u == 'ms' else 1) + 0.3)")"
}

# fo_step NAME "T0 T1" TRIGGER_REGEX TRANSITIONS WINDOW PREDICTION: the episode this failure
# must have (checked by fo_verify against the report): the first whose trigger matches the regex
# at or after T0, its transitions (a regex over "k=v,..." sorted; empty: not checked), WINDOW 1:
# a failure window must be reported, PREDICTION: what the episode's prediction (what-if of the
# failed sessions at the trigger) against the outcome must be, MATCHED/DIFFERED/UNPREDICTED
# prefixes (e.g. 3/0/0: all predicted, as observed), or "none" (no session failed: nothing predicted)
fo_step() {
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "${2% *}" "${2#* }" "$3" "${4:-}" "${5:-0}" "${6:-}" >>"$TOPO_DIR/steps.tsv"
}

# fo_verify: stops bgpfa (its report is written at SIGTERM) and checks the run. With
# FLAB_SAVE_FIXTURE=DIR the run becomes DIR/NAME, a fixture for tests/lab_golden.sh.
fo_verify() {
  local pid
  pid=$(topo_pid bgpfa)
  kill -TERM "$pid"
  topo_wait 15 test -s "$TOPO_DIR/report.json"
  topo_wait 10 fo_gone "$pid"
  # dumpcap buffers what it writes: stopped (SIGTERM flushes and closes the file) before the
  # check reads the captures, or the last segments may not be in them yet (an UPDATE 120 ms
  # before the end was once missing). And the kernel hands captured packets to dumpcap in ring
  # blocks, a block only once it is full or its timeout (dumpcap's 250 ms) has passed; a
  # SIGTERM while one is still open loses it (both VPN tests once lost the recovery's UPDATE
  # and End-of-RIB, 230 ms before the stop). Dumpcap 4.0 has no immediate mode, so the stop
  # waits a second, four of those timeouts, after the last packet (bgpfa's Cease) was sent.
  sleep 1
  local name
  while read -r name pid; do
    [[ $name == dumpcap-* ]] || continue
    kill -TERM "$pid" 2>/dev/null || true
    topo_wait 10 fo_gone "$pid"
  done <"$TOPO_DIR/pids"
  python3 "$TOPO_LIB_DIR/failover_check.py" verify "$TOPO_DIR" "$TOPO_BGPFA"
  if [[ -n ${FLAB_SAVE_FIXTURE:-} ]]; then
    local fx=$FLAB_SAVE_FIXTURE/$FO_NAME
    mkdir -p "$fx"
    cp "$TOPO_DIR/bgpfa.conf" "$TOPO_DIR/steps.tsv" "$TOPO_DIR/truth.tsv" "$fx/"
    echo "$FO_NAME: $(cat "$TOPO_DIR/description")" >"$fx/README"
    cat "$TOPO_DIR"/capture/*.mrt >"$fx/capture.mrt"
    "$TOPO_BGPFA" replay -q -c "$fx/bgpfa.conf" --report json "$fx/capture.mrt" >"$fx/expected-report.json"
    echo "saved the capture, its report and the ground truth in $fx"
  fi
  echo "ok: $FO_NAME: $((SECONDS - FO_START)) s"
}
fo_gone() { ! kill -0 "$1" 2>/dev/null; }
