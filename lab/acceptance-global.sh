# shellcheck shell=bash
# The acceptance suite's global-heartbeat phase (global-hb.sh): the raw-image lab
# switched to `heartbeat_mode = global` healthy and under each global fault,
# o2check's verdicts inside the nodes and in cluster mode, and each printed fix
# applied in node 2 until the volume mounts (or o2hbmonitor runs) again.

# The checks a healthy global-mode node passes, on top of HEALTHY_CHECKS.
GLOBAL_CHECKS="heartbeat-mode o2hbmonitor-running heartbeat-age"

# expect_code N CASE CHECK CODE: the check's finding code on node N.
expect_code() {
  local got
  got=$(python3 "$LAB_SRC/results.py" "$RESULTS/$2-node$1.json" --finding "$3")
  if [ "$got" = "$4" ]; then ok "$2 node$1: $3 finding $4"; else bad "$2 node$1: $3 finding $got, expected $4"; fi
}

# The fix applied in node 2: SCRIPT, then the volume must be mounted (and for
# o2hbmonitor-stopped, the monitor running).
global_fix() { # CASE SCRIPT
  local t; t=$(now)
  if vm 2 --timeout 120 "$2
grep -q ' /mnt/ocfs2 ' /proc/mounts && pidof o2hbmonitor >/dev/null" >"$RUN/fix-$1.txt" 2>&1; then
    ok "$1 node2: the printed fix mounts again with o2hbmonitor running ($(elapsed "$t") s)"
  else
    bad "$1 node2: after the fix: $(tail -3 "$RUN/fix-$1.txt" | tr '\n' ' ')"
  fi
}

global_case() { # NAME
  local f=$1 region
  region=$(global_region)
  global_fault "$f"
  run_in 2 "$f"
  capture_global 2 "$f"
  case "$f" in
    region-missing)
      if grep -q 'mount rc=1' "$RUN/mount-$f.txt"; then ok "$f node2: the mount fails ($(head -1 "$RUN/mount-$f.txt"))"; else bad "$f node2: the mount did not fail"; fi
      expect 2 "$f" heartbeat-mode fail
      expect_code 2 "$f" heartbeat-mode global-no-region
      expect_summary 2 "$f" heartbeat-mode "cluster $CLUSTER is in global heartbeat mode but cluster.conf defines no heartbeat region"
      cluster_run "$f"
      expect_cluster "$f" heartbeat-mode "$(node_name 1)" pass
      expect_cluster "$f" heartbeat-mode "$(node_name 2)" fail
      expect_cluster "$f" cluster-conf-identical "" fail
      if grep -q "$region" "$RESULTS/$f-cluster/results.json"; then ok "$f cluster mode: the report names region $region"; else bad "$f cluster mode: region $region not named"; fi
      # The fix heartbeat-mode prints: add the region, start it; then mount.
      global_fix "$f" "o2cb add-heartbeat $CLUSTER /dev/vda && o2cb start-heartbeat $CLUSTER && mount -t ocfs2 /dev/vda /mnt/ocfs2" ;;
    global-running-local)
      if grep -q 'Heartbeat mode is invalid' "$RUN/mount-$f.txt"; then ok "$f node2: the mount fails ($(head -1 "$RUN/mount-$f.txt"))"; else bad "$f node2: mount: $(head -1 "$RUN/mount-$f.txt")"; fi
      expect 2 "$f" heartbeat-mode fail
      expect_code 2 "$f" heartbeat-mode mode-mismatch
      expect_summary 2 "$f" heartbeat-mode "cluster.conf asks for global heartbeat for cluster $CLUSTER but the running cluster uses local"
      # The volume's on-disk global-heartbeat flag against the local cluster.
      expect 2 "$f" disk-cluster-stack fail
      # The fix: offline (unregister), online again; then mount.
      global_fix "$f" "/etc/init.d/o2cb offline >/dev/null && /etc/init.d/o2cb online >/dev/null && mount -t ocfs2 /dev/vda /mnt/ocfs2" ;;
    o2hbmonitor-stopped)
      expect 2 "$f" o2hbmonitor-running fail
      expect_code 2 "$f" o2hbmonitor-running not-running
      expect_summary 2 "$f" o2hbmonitor-running "$region (vda)"
      global_fix "$f" "o2hbmonitor" ;;
  esac
}

global_phase() {
  local t f
  down
  STORAGE=raw
  t=$(now); up; global_up
  timing global-up-and-mounted "$t"
  t=$(now)
  run_in_nodes global-healthy 1 2
  expect_healthy global-healthy
  for n in 1 2; do
    for c in $GLOBAL_CHECKS; do expect "$n" global-healthy "$c" pass; done
    expect_summary "$n" global-healthy heartbeat-mode "global heartbeat on 1 of 1 configured region(s): $(global_region)"
    expect "$n" global-healthy stale-heartbeat-region skip
    capture_global "$n" healthy
  done
  cluster_run global-healthy
  expect_cluster global-healthy cluster-conf-identical "" pass
  expect_cluster global-healthy heartbeat-mode "$(node_name 2)" pass
  timing global-healthy "$t"
  for f in $GLOBAL_FAULTS; do
    t=$(now)
    log "global fault $f"
    global_case "$f"
    timing "global-fault-$f" "$t"
  done
}
