# shellcheck shell=bash
# The acceptance suite: o2check run inside the real nodes and from the host over
# ssh, healthy and under each fault, with the outcomes each must give. Ends with
# "lab acceptance: N passed, M failed" and the timings.

# shellcheck source=lab/fixes.sh
. "$LAB_SRC/fixes.sh"

PASSED=0
FAILED=0
RESULTS=$WORK/acceptance

ok() { PASSED=$((PASSED + 1)); printf '  ok    %s\n' "$*"; }
bad() { FAILED=$((FAILED + 1)); printf '  FAIL  %s\n' "$*"; }
timing() { echo "timing $1 $(elapsed "$2")" >>"$RESULTS/timings"; }

expect_junit() { # FILE LABEL
  if xmllint --noout --schema "$REPO/reports/junit.xsd" "$1" 2>/dev/null; then ok "$2: JUnit valid"; else bad "$2: JUnit invalid or missing"; fi
}

# o2check run in node N, no assertions; results.json, junit.xml and the exit
# status land in $RESULTS/CASE-nodeN.*
guest_run() { # N CASE
  local base=$RESULTS/$2-node$1
  vm "$1" --timeout 300 'rm -rf /tmp/rep; o2check run --out /tmp/rep --color never -q >/tmp/run.log 2>&1; echo "exit=$?" >/tmp/rep/exit' >/dev/null || true
  vm "$1" 'cat /tmp/rep/results.json' >"$base.json" || true
  vm "$1" 'cat /tmp/rep/junit.xml' >"$base.junit.xml" || true
  vm "$1" 'cat /tmp/rep/exit' >"$base.exit" || true
}

run_in() { # N CASE
  guest_run "$1" "$2"
  expect_junit "$RESULTS/$2-node$1.junit.xml" "$2 node$1"
}

# o2check in several nodes at once: each VM has its own core, so two runs cost one.
run_in_nodes() { # CASE N...
  local c=$1 n p pids=(); shift
  for n in "$@"; do guest_run "$n" "$c" & pids+=($!); done
  for p in "${pids[@]}"; do wait "$p" || true; done
  for n in "$@"; do expect_junit "$RESULTS/$c-node$n.junit.xml" "$c node$n"; done
}

# expect N CASE CHECK STATUS: the check's status on node N in that case.
expect() {
  local got
  got=$(python3 "$LAB_SRC/results.py" "$RESULTS/$2-node$1.json" "$3")
  if [ "$got" = "$4" ]; then ok "$2 node$1: $3 = $4"; else bad "$2 node$1: $3 = $got, expected $4"; fi
}

# expect_cause N CASE CAUSE: `o2check why` with the case's mount error names CAUSE first.
expect_cause() {
  local err got
  err=$(grep -m1 'mount.ocfs2:' "$RUN/fault-$2.mount" 2>/dev/null || true)
  vm "$1" --timeout 300 "rm -rf /tmp/why; o2check why $(printf '%q' "$err") --out /tmp/why >/tmp/why.log 2>&1; true" >/dev/null || true
  vm "$1" 'cat /tmp/why/why.json' >"$RESULTS/$2-node$1.why.json" || true
  got=$(python3 "$LAB_SRC/results.py" "$RESULTS/$2-node$1.why.json" --cause)
  if [ "$got" = "$3" ]; then ok "$2 node$1: why ($err) -> $3"; else bad "$2 node$1: why ($err) -> $got, expected $3"; fi
  printf '%s\t%s\t%s\n' "$2" "$3" "$err" >>"$RESULTS/fault-messages.tsv"
  verify_fix "$2"
}

# ssh from the host reaches every node by its cluster.conf name; the guests have
# iptables-save on PATH (o2check runs it).
expect_access() {
  local n got
  for n in $(seq "$NODES"); do
    got=$(node_ssh "$n" uname -n 2>&1 || true)
    if [ "$got" = "$(node_name "$n")" ]; then ok "ssh -F $SSH_CONFIG $(node_name "$n") uname -n: $got"; else bad "ssh to node$n: $got"; fi
  done
  if vm 1 'iptables-save' | grep -q '^\*filter'; then ok "iptables-save in node1 lists the filter table"; else bad "iptables-save in node1: $(vm 1 'iptables-save 2>&1' | head -3)"; fi
  expect_package
}

# The nodes got o2check from its .deb (prepare.sh install_deb): dpkg in node 1
# lists it installed, at the version of the package built here, and verifies
# every file it installed against the package's checksums (dpkg -V prints
# nothing when all match).
expect_package() {
  local want got
  want=$(dpkg-deb -f "$(o2check_deb)" Version)
  got=$(vm 1 "dpkg-query -W -f='\${Status} \${Version}' o2check" 2>&1 || true)
  if [ "$got" = "install ok installed $want" ]; then ok "node1: dpkg lists o2check $want installed"; else bad "node1: dpkg-query o2check: $got (want $want)"; fi
  got=$(vm 1 'dpkg -V o2check 2>&1; echo "rc=$?"' || true)
  if [ "$got" = rc=0 ]; then ok "node1: dpkg -V o2check: every packaged file is as shipped"; else bad "node1: dpkg -V o2check: $(echo "$got" | tr '\n' ' ')"; fi
}

# The checks that must pass on every node of the healthy cluster.
HEALTHY_CHECKS="hostname-in-cluster-conf cluster-online heartbeat-active-after-mount dlm-membership o2net-port name-resolution o2cb-modules o2cb-filesystems disk-cluster-stack disk-slots cluster-conf-syntax o2cb-config"

expect_healthy() { # CASE
  local n c
  for n in $(seq "$NODES"); do
    for c in $HEALTHY_CHECKS; do expect "$n" "$1" "$c" pass; done
    if grep -q 'exit=0' "$RESULTS/$1-node$n.exit"; then ok "$1 node$n: exit 0"; else bad "$1 node$n: $(cat "$RESULTS/$1-node$n.exit" 2>/dev/null)"; fi
  done
}

# One fault on node 2 and its assertions (from inside the nodes and, where the
# o2check on the host has it, from the host in cluster mode).
fault_case() { # NAME
  local f=$1
  fault "$f"
  case "$f" in
    hostname-mismatch)
      run_in 2 "$f"; expect 2 "$f" hostname-in-cluster-conf fail; expect 2 "$f" cluster-online fail
      # Cluster mode and the bundle see the fault; expect_cause then applies
      # why's fix, which gives node 2 its cluster.conf name back.
      cluster_hostname_mismatch
      bundle_out 2 "$WORK/bundles/$f-node2" || true
      expect_cause 2 "$f" hostname-not-in-cluster-conf ;;
    idle-timeout-mismatch|hb-threshold-mismatch)
      run_in 2 "$f"; expect 2 "$f" o2cb-config pass
      expect_cause 2 "$f" timeout-mismatch ;;
    link-down)
      run_in 2 "$f"; expect 2 "$f" o2net-port fail
      expect_cause 2 "$f" network-unreachable ;;
    port-blocked)
      # Node 1 fails on its own rule; node 2 cannot reach node 1's port.
      run_in_nodes "$f" 1 2; expect 1 "$f" o2net-port fail; expect 2 "$f" o2net-port fail
      if grep -q -- "--dport $PORT -j DROP" "$RESULTS/$f-node1.json"; then ok "$f node1: o2net-port names the DROP rule"; else bad "$f node1: o2net-port does not name the DROP rule"; fi
      # Cluster mode while the fault stands: expect_cause repairs it.
      cluster_port_blocked
      expect_cause 2 "$f" network-unreachable ;;
    o2cb-offline)
      run_in 2 "$f"; expect 2 "$f" cluster-online fail
      expect_cause 2 "$f" cluster-offline ;;
    cluster-unregistered)
      run_in 2 "$f"; expect 2 "$f" cluster-online fail
      expect_cause 2 "$f" cluster-offline ;;
    cluster-removed)
      run_in 2 "$f"; expect 2 "$f" cluster-conf-syntax fail; expect_finding "$RESULTS/$f-node2.json" "$f node2" cluster-conf-syntax no-cluster-stanza
      expect_cause 2 "$f" cluster-conf-invalid ;;
    modules-unloaded)
      run_in 2 "$f"; expect 2 "$f" o2cb-modules fail
      expect_cause 2 "$f" o2cb-stack-not-loaded ;;
    too-few-slots)
      # Run before the fix too: its kernel-log ERROR line must turn into history.
      run_in 2 "$f"; expect_cause 2 "$f" too-few-slots ;;
    dlmfs-unmounted)
      run_in 2 "$f"; expect 2 "$f" o2cb-filesystems fail; expect 2 "$f" heartbeat-active-after-mount pass ;;
    disk-cluster-name)
      run_in 2 "$f"; expect 2 "$f" disk-cluster-stack fail
      expect_cause 2 "$f" disk-cluster-mismatch ;;
    node-killed)
      run_in 1 "$f"; expect 1 "$f" dlm-membership pass; expect 1 "$f" heartbeat-active-after-mount pass
      if vm 1 'dmesg | grep -Eq "o2dlm: (Begin recovery|Node 2 leaves)|ocfs2: (Begin replay|End replay)"'; then ok "$f node1: recovery of node 2 in dmesg"; else bad "$f node1: no recovery of node 2 in dmesg"; fi ;;
  esac
}

# verify FAULT...: fault_case for each on the lab that is up (o2lab up), for
# working on one fault without the whole suite; the lab stays up.
verify() {
  local t f; t=$(now)
  need_host_o2check
  mkdir -p "$RESULTS"; : >"$RESULTS/fix-verification"
  prepare >/dev/null
  for f in "$@"; do log "fault $f"; fault_case "$f"; done
  cat "$RESULTS/fix-verification"
  echo "lab verify: $PASSED passed, $FAILED failed in $(elapsed "$t") s"
  [ "$FAILED" -eq 0 ]
}

# No VM or hub outlives the suite: not on failure (set -e), not on Ctrl-C.
stop_on_exit() {
  trap 'down' EXIT
  trap 'exit 130' INT TERM
}

finish() { # START
  timing total "$1"
  down
  trap - EXIT INT TERM
  cat "$RESULTS/timings"
  cat "$RESULTS/fix-verification" 2>/dev/null || true
  echo "lab acceptance: $PASSED passed, $FAILED failed"
  [ "$FAILED" -eq 0 ]
}

# acceptance [--nodes N]: two nodes run the whole suite; more nodes run the N-node
# smoke in smoke.sh instead (opt-in: about a minute for 3 nodes, and the default
# run already fills its 10-minute budget).
acceptance() {
  [ "${1:-}" = --nodes ] && NODES=${2:?--nodes N}
  check_nodes
  need_host_o2check
  [ "$NODES" = 2 ] || { smoke; return; }
  local t0 t f; t0=$(now)
  rm -rf "$RESULTS"; mkdir -p "$RESULTS"
  stop_on_exit
  prepare
  # O2LAB_STORAGE_ONLY=1: the storage phase alone (no raw-image lab).
  if [ "${O2LAB_STORAGE_ONLY:-0}" != 1 ]; then
    t=$(now); up; echo "timing boot $(cat "$RUN/boot-seconds")" >>"$RESULTS/timings"; timing up-and-mounted "$t"
    expect_access
    t=$(now); run_in_nodes healthy $(seq "$NODES"); expect_healthy healthy; timing healthy-in-guests "$t"
    if bundle_out 1 "$WORK/bundles/healthy-node1"; then ok "bundle collected from node1"; else bad "bundle from node1"; fi
    t=$(now); cluster_healthy; timing healthy-cluster-mode "$t"
    # O2LAB_FAULTS="a b": only these faults (and no scenarios), for working on one.
    if [ -z "${O2LAB_FAULTS:-}" ]; then t=$(now); scenario_run; timing scenarios "$t"; fi
    for f in ${O2LAB_FAULTS:-$FAULTS}; do
      t=$(now)
      log "fault $f"
      fault_case "$f"
      timing "fault-$f" "$t"
    done
  fi
  # The iSCSI + multipath phase (acceptance-storage.sh); O2LAB_STORAGE_PHASE=0 skips it.
  if [ "${O2LAB_STORAGE_PHASE:-1}" = 1 ]; then storage_phase; fi
  finish "$t0"
}
