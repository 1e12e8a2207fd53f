# shellcheck shell=bash
# Fix verification: for a fault that made node 2's mount fail, apply the fix
# `o2check why` printed (why.json's fix.commands of the first cause, each on the
# node it names), then assert that the volume is mounted, that `o2check run` on
# both nodes and `o2check run --cluster` from the host pass (exit 0: nothing
# fails any more), and that the kernel-log failures of the fault are still shown,
# as history ("earlier, ..." evidence), by the checks they failed before the fix.
# A fix that does not work is a failing assertion. Each fault's applied commands
# and their output land in $RESULTS/FAULT-fix.log, one line per fault in
# $RESULTS/fix-verification.

# The lab node (1-based) a fix command names: a cluster.conf name n(149+i), or
# node 2, the node `why` ran on, for any other name (its hostname may be the
# fault itself).
fix_node_index() { # NAME
  local i
  for i in $(seq "$NODES"); do [ "$1" = "$(node_name "$i")" ] && { echo "$i"; return; }; done
  echo 2
}

# Faults whose fix is not a command on a node (the lab pulled the virtual cable).
FIX_OUTSIDE_NODES="link-down"

# The checks that judge kernel-log lines against the node's current state
# (checks/src/kernlog/history.rs): a failure of theirs under the fault must turn
# into history once the fault is repaired and the volume remounted.
LOG_CHECKS="ocfs2-errors o2net-stability o2cb-timeouts-consistent"

# Step a fix needs that no single node can do (what `why` says to do instead, as
# a note), done here as the administrator would, keyed by fault. The text `why`
# must print for it is asserted before the step is taken.
declare -A FIX_BY_HAND_TEXT=([cluster-removed]="copy the file from another node first")
fix_by_hand() { # FAULT
  case "$1" in
    # scp from node 1, through the agents (base64: vm takes no stdin).
    cluster-removed) vm 2 "echo $(vm 1 'base64 -w0 /etc/ocfs2/cluster.conf') | base64 -d >/etc/ocfs2/cluster.conf" ;;
  esac
}

# Apply why.json's commands in order; 0 when each succeeded (the closing mount may
# report an already mounted volume: that is judged afterwards).
apply_fix() { # JSON LOG
  local node cmd idx rc ok=0
  while IFS=$'\t' read -r node cmd; do
    idx=$(fix_node_index "$node")
    echo "node$idx\$ $cmd" >>"$2"
    rc=0; vm "$idx" --timeout 150 "$cmd" >>"$2" 2>&1 || rc=$?
    echo "rc=$rc" >>"$2"
    [ "$rc" = 0 ] || case "$cmd" in mount\ *) ;; *) ok=1 ;; esac
  done < <(python3 "$LAB_SRC/results.py" "$1" --fix-commands)
  return "$ok"
}

# After the fix: both nodes and cluster mode exit 0; each log check that failed
# on node 2 under the fault passes now and shows the earlier lines as history, in
# node 2's own run and in the cluster run. Sets HISTORY_CHECKS to those checks.
expect_repaired() { # FAULT
  local f=$1 n c hist
  HISTORY_CHECKS=""
  run_in_nodes "$f-fixed" 1 2
  for n in 1 2; do
    if grep -q 'exit=0' "$RESULTS/$f-fixed-node$n.exit"; then ok "$f fixed: o2check run on node$n exits 0"; else bad "$f fixed: o2check run on node$n $(cat "$RESULTS/$f-fixed-node$n.exit" 2>/dev/null) (failing: $(python3 "$LAB_SRC/results.py" "$RESULTS/$f-fixed-node$n.json" --failed))"; fi
  done
  cluster_run "$f-fixed"
  if [ "$(cat "$RESULTS/$f-fixed-cluster.exit")" = 0 ]; then ok "$f fixed: o2check run --cluster exits 0"; else bad "$f fixed: o2check run --cluster exit $(cat "$RESULTS/$f-fixed-cluster.exit") (failing: $(python3 "$LAB_SRC/results.py" "$RESULTS/$f-fixed-cluster/results.json" --failed))"; fi
  for c in $LOG_CHECKS; do
    [ "$(python3 "$LAB_SRC/results.py" "$RESULTS/$f-node2.json" "$c")" = fail ] || continue
    HISTORY_CHECKS+=" $c"
    hist=$(python3 "$LAB_SRC/results.py" "$RESULTS/$f-fixed-node2.json" --history "$c")
    if [ "$hist" != none ]; then ok "$f fixed node2: $c shows the fault as history: ${hist:0:120}"; else bad "$f fixed node2: $c failed under the fault and shows no history after the fix"; fi
    hist=$(python3 "$LAB_SRC/results.py" "$RESULTS/$f-fixed-cluster/results.json" --history "$c" "$(node_name 2)")
    if [ "$hist" != none ]; then ok "$f fixed cluster mode: $c@$(node_name 2) shows the fault as history"; else bad "$f fixed cluster mode: $c@$(node_name 2) shows no history"; fi
  done
}

verify_fix() { # FAULT
  local f=$1 json=$RESULTS/$1-node2.why.json log=$RESULTS/$1-fix.log dev mnt ok=1 text fix_text before
  case " $FIX_OUTSIDE_NODES " in *" $f "*) echo "$f: fix is outside the nodes, not verified" >>"$RESULTS/fix-verification"; return ;; esac
  : >"$log"
  if [ -n "${FIX_BY_HAND_TEXT[$f]:-}" ]; then
    text=${FIX_BY_HAND_TEXT[$f]}
    # Read whole, then matched: `| grep -q` would stop reading at the match and
    # fail the pipe (pipefail) when results.py is still writing.
    fix_text=$(python3 "$LAB_SRC/results.py" "$json" --fix-text)
    if [[ $fix_text == *"$text"* ]]; then ok "$f: why says to $text"; else bad "$f: why's fix does not say to $text"; ok=0; fi
    echo "by hand: $text" >>"$log"; fix_by_hand "$f" >>"$log" 2>&1 || ok=0
  fi
  if [ -z "$(python3 "$LAB_SRC/results.py" "$json" --fix-commands)" ]; then
    bad "$f: why.json has no runnable fix"; echo "$f: no runnable fix" >>"$RESULTS/fix-verification"; return
  fi
  apply_fix "$json" "$log" || ok=0
  # Not every mount error names the device and mount point (`Internal logic
  # failure ...` does not): then node 2's fstab line does. No match is not a
  # failure of the suite (it runs under pipefail).
  dev=$(grep -o 'while mounting /dev/[a-z0-9]* on /[^ .]*' "$RUN/fault-$f.mount" | head -1 || true)
  mnt=${dev##* on }; dev=${dev#while mounting }; dev=${dev%% on *}
  [ -n "$dev" ] || read -r dev mnt < <(vm 2 "awk '\$3==\"ocfs2\"{print \$1, \$2; exit}' /etc/fstab")
  vm 2 --timeout 150 "grep -q ' $mnt ocfs2 ' /proc/mounts || mount -t ocfs2 $dev $mnt" >>"$log" 2>&1 || true
  if [ "$ok" = 1 ] && vm 2 "grep -q ' $mnt ocfs2 ' /proc/mounts"; then
    ok "$f: why's fix applied, node2 mounts again"
  else
    bad "$f: why's fix did not make the mount succeed (see $log)"; ok=0
  fi
  before=$FAILED
  expect_repaired "$f"
  [ "$FAILED" = "$before" ] || ok=0
  echo "$f: $([ "$ok" = 1 ] && echo fixed || echo NOT-fixed) by: $(python3 "$LAB_SRC/results.py" "$json" --fix-commands | cut -f2 | paste -sd';' -); history shown for:${HISTORY_CHECKS:- none}" >>"$RESULTS/fix-verification"
}
