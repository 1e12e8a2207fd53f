# shellcheck shell=bash
# The acceptance suite's storage phase: the iSCSI lab (two portals, dm-multipath,
# OCFS2 on /dev/mapper/o2lab_shared) healthy and under every storage fault of
# faults-storage.sh, o2check's verdicts inside node 2 and in cluster mode from
# the host, and the fence attributed to node 2 and its disk heartbeat; then the
# global-heartbeat phase (acceptance-global.sh).

# collect in a node whose map queues with no paths: the two mounted.ocfs2 scans
# block until their 20 s deadlines, the rest answers; 120 s leaves room for TCG.
COLLECT_HANG_BUDGET=120

# The storage checks a healthy iSCSI node passes, on top of HEALTHY_CHECKS.
STORAGE_CHECKS="multipath-paths iscsi-sessions multipath-failover-time kernel-panic-settings fencing-events"

# expect_summary N CASE CHECK TEXT: the check's summary on node N names TEXT.
expect_summary() {
  local got
  got=$(python3 "$LAB_SRC/results.py" "$RESULTS/$2-node$1.json" --summary "$3")
  if [[ "$got" == *"$4"* ]]; then ok "$2 node$1: $3 names $4"; else bad "$2 node$1: $3 does not name $4: $got"; fi
}

# expect_finding JSON LABEL CHECK CODE
expect_finding() {
  local got
  got=$(python3 "$LAB_SRC/results.py" "$1" --finding "$3")
  if [ "$got" = "$4" ]; then ok "$2: $3 finding $4"; else bad "$2: $3 finding $got, expected $4"; fi
}

fence_armed() {
  run_in 2 fence-armed
  expect 2 fence-armed multipath-failover-time fail
  expect_finding "$RESULTS/fence-armed-node2.json" "fence-armed node2" multipath-failover-time queues-forever
}

storage_case() { # NAME
  local f=$1
  case "$f" in
    path-down)
      storage_fault "$f"
      run_in 2 "$f"; expect 2 "$f" multipath-paths fail
      expect_summary 2 "$f" multipath-paths "o2lab_shared: bad path 0:0:0:1"
      # -P 3 shows the session behind the blocked portal reopening.
      expect 2 "$f" iscsi-sessions fail
      expect 2 "$f" fencing-events pass ;;
    path-recovering)
      storage_fault "$f"
      if [ -s "$WORK/captures/path-recovering/node2/caught" ]; then ok "$f node2: multipath -ll showed failed ready before active ready"; else bad "$f node2: failed ready not seen in three recoveries"; fi
      run_in 2 "$f"; expect 2 "$f" multipath-paths pass; expect 2 "$f" iscsi-sessions pass ;;
    lun-removed)
      storage_fault "$f"
      run_in 2 "$f"; expect 2 "$f" multipath-paths fail
      expect_summary 2 "$f" multipath-paths "o2lab_scratch" ;;
    lun-removed-devices-deleted)
      # From lun-removed: the scratch map has no path left and queues, so every
      # read of it blocks in D state. collect must still end within its budget
      # (each command's 20 s deadline; a child that cannot be killed abandoned),
      # recording what timed out (it hung past 300 s before).
      storage_fault "$f"
      local t0 secs; t0=$(now)
      vm 2 --timeout 400 'rm -rf /tmp/hang; timeout 300 o2check collect --out /tmp/hang >/tmp/hang.log 2>&1; echo "collect rc=$?"; cat /tmp/hang.log' >"$RUN/collect-hang.txt" 2>&1 || true
      secs=$(elapsed "$t0")
      echo "timing collect-with-queueing-map $secs" >>"$RESULTS/timings"
      if grep -q 'collect rc=0' "$RUN/collect-hang.txt" && [ "${secs%.*}" -lt "$COLLECT_HANG_BUDGET" ]; then
        ok "$f node2: collect finished in $secs s (budget $COLLECT_HANG_BUDGET s): $(grep -o 'timed out: .*' "$RUN/collect-hang.txt" | cut -c1-160)"
      else
        bad "$f node2: collect took $secs s (budget $COLLECT_HANG_BUDGET s): $(tail -2 "$RUN/collect-hang.txt" | tr '\n' ' ')"
      fi
      if grep -q 'timed out: ' "$RUN/collect-hang.txt"; then ok "$f node2: collect records the commands that timed out"; else bad "$f node2: collect records no timed-out command"; fi ;;
    session-logout)
      storage_fault "$f"
      run_in 2 "$f"; expect 2 "$f" multipath-paths fail
      # The logged-out portal's node record (node.startup automatic) has no session.
      expect 2 "$f" iscsi-sessions fail
      expect_finding "$RESULTS/$f-node2.json" "$f node2" iscsi-sessions record-without-session ;;
    all-paths-fence)
      FENCE_ARMED_HOOK=fence_armed storage_fault "$f"
      if grep -q 'ocfs2 is very sorry to be fencing this system' "$WORK/captures/fence-fenced/node2/console.log"; then ok "$f node2: fenced itself ($(head -1 "$RUN/fence-seconds"))"; else bad "$f node2: no fence on its console"; fi
      if grep -q 'o2dlm has evicted node 2' "$WORK/captures/fence-survivor/node1/dmesg.txt"; then ok "$f node1: evicted node 2"; else bad "$f node1: no eviction of node 2"; fi
      cluster_run "$f"
      expect_cluster "$f" fence-attribution "" fail
      expect_finding "$RESULTS/$f-cluster/results.json" "$f cluster mode" fence-attribution fenced-disk-heartbeat
      if grep -q 'node 2 (n151.ocfs2.test) fenced' "$RESULTS/$f-cluster/results.json"; then ok "$f cluster mode: fence-attribution names node 2"; else bad "$f cluster mode: fence-attribution does not name node 2"; fi
      expect_reboot_cause "$f" ;;
  esac
}

# `o2check why --reboot n151.ocfs2.test` over ssh names the disk heartbeat.
expect_reboot_cause() { # CASE
  local got out=$RESULTS/$1-why
  "$O2CHECK_BIN" why --reboot "$(node_name 2)" --cluster --nodes "$(node_pattern)" --ssh-config "$SSH_CONFIG" --out "$out" >"$out.log" 2>&1 || true
  got=$(python3 "$LAB_SRC/results.py" "$out/why.json" --cause)
  if [ "$got" = fence-disk-heartbeat ]; then ok "$1: why --reboot $(node_name 2) -> $got"; else bad "$1: why --reboot $(node_name 2) -> $got, expected fence-disk-heartbeat"; fi
}

# `o2check timeline` over the nodes' bundles cluster mode saved after the fence
# shows it: node 2's lane, the disk heartbeat.
expect_timeline_fence() { # CASE
  local out=$RESULTS/$1-timeline b=()
  for d in "$WORK/bundles/$1-cluster"/*/; do b+=(--bundle "$d"); done
  "$O2CHECK_BIN" timeline "${b[@]}" --out "$out" >"$out.txt" 2>&1 || true
  if grep -q "^  +[0-9.]*  $(node_name 2)  \[fenced-disk-heartbeat\] node 2" "$out.txt"; then
    ok "$1: timeline shows the fence on $(node_name 2)'s lane: $(grep -m1 -o 'fenced (evicted at [^)]*)' "$out.txt")"
  else
    bad "$1: timeline shows no fence of node 2: $(sed -n '/^fences/,$p' "$out.txt" | head -3 | tr '\n' ' ')"
  fi
}

storage_phase() {
  local t f
  # O2LAB_GLOBAL_ONLY=1: only the global-heartbeat phase (acceptance-global.sh).
  if [ "${O2LAB_GLOBAL_ONLY:-0}" = 1 ]; then global_phase; return; fi
  down
  STORAGE=iscsi
  t=$(now); up
  echo "timing iscsi-boot $(cat "$RUN/boot-seconds")" >>"$RESULTS/timings"
  echo "timing iscsi-login-and-map-node1 $(tr '\n' ' ' <"$RUN/login-node1")" >>"$RESULTS/timings"
  timing iscsi-up-and-mounted "$t"
  t=$(now)
  run_in_nodes iscsi-healthy 1 2
  expect_healthy iscsi-healthy
  for n in 1 2; do for c in $STORAGE_CHECKS; do expect "$n" iscsi-healthy "$c" pass; done; done
  cluster_run iscsi-healthy
  expect_cluster iscsi-healthy fence-attribution "" pass
  timing iscsi-healthy "$t"
  for f in path-down path-recovering lun-removed lun-removed-devices-deleted session-logout all-paths-fence; do
    t=$(now)
    log "storage fault $f"
    storage_case "$f"
    timing "iscsi-fault-$f" "$t"
  done
  expect_timeline_fence all-paths-fence
  # The global-heartbeat variant on the raw image; O2LAB_GLOBAL_PHASE=0 skips it.
  if [ "${O2LAB_GLOBAL_PHASE:-1}" = 1 ]; then global_phase; fi
}
