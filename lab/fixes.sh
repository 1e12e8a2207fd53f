# shellcheck shell=bash
# Fix verification: for a fault that made node 2's mount fail, apply the fix
# `o2check why` printed (why.json's fix.commands of the first cause, each on the
# node it names), then assert that the volume is mounted and that `o2check run`
# on node 2 passes the healthy checks. A fix that does not work is a failing
# assertion. Each fault's applied commands and their output land in
# $RESULTS/FAULT-fix.log.

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

verify_fix() { # FAULT
  local f=$1 json=$RESULTS/$1-node2.why.json log=$RESULTS/$1-fix.log dev node cmd idx rc ok=1
  case " $FIX_OUTSIDE_NODES " in *" $f "*) echo "$f: fix is outside the nodes, not verified" >>"$RESULTS/fix-verification"; return ;; esac
  : >"$log"
  if ! python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["diagnosis"]; sys.exit(0 if d["causes"] and d["causes"][0]["fix"].get("commands") else 1)' "$json" 2>/dev/null; then
    bad "$f: why.json has no runnable fix"; echo "$f: no runnable fix" >>"$RESULTS/fix-verification"; return
  fi
  while IFS=$'\t' read -r node cmd; do
    idx=$(fix_node_index "$node")
    echo "node$idx\$ $cmd" >>"$log"
    rc=0; vm "$idx" --timeout 150 "$cmd" >>"$log" 2>&1 || rc=$?
    echo "rc=$rc" >>"$log"
    # The closing mount may report an already mounted volume: judged below.
    [ "$rc" = 0 ] || case "$cmd" in mount\ *) ;; *) ok=0 ;; esac
  done < <(python3 -c 'import json,sys
for c in json.load(open(sys.argv[1]))["diagnosis"]["causes"][0]["fix"]["commands"]:
    print(c["node"] + "\t" + c["run"].replace("\n", " "))' "$json")
  # Not every mount error names the device (`Internal logic failure ...` does
  # not): no match is not a failure of the suite (it runs under pipefail).
  dev=$(grep -o 'while mounting /dev/[a-z0-9]*' "$RUN/fault-$f.mount" | awk '{print $3}' | head -1 || true)
  dev=${dev:-$(vm 2 "awk '\$3==\"ocfs2\"{print \$1; exit}' /etc/fstab")}
  vm 2 --timeout 150 "grep -q ' /mnt/ocfs2 ocfs2 ' /proc/mounts || mount -t ocfs2 $dev /mnt/ocfs2" >>"$log" 2>&1 || true
  if [ "$ok" = 1 ] && vm 2 "grep -q ' /mnt/ocfs2 ocfs2 ' /proc/mounts"; then
    ok "$f: why's fix applied, node2 mounts again"
  else
    bad "$f: why's fix did not make the mount succeed (see $log)"; ok=0
  fi
  guest_run 2 "$f-fixed"
  local c failing=""
  for c in $HEALTHY_CHECKS; do
    [ "$(python3 "$LAB_SRC/results.py" "$RESULTS/$f-fixed-node2.json" "$c")" = pass ] || failing+=" $c"
  done
  if [ -z "$failing" ]; then ok "$f: o2check run passes the healthy checks after the fix ($(cat "$RESULTS/$f-fixed-node2.exit" 2>/dev/null))"; else bad "$f: after the fix these checks do not pass:$failing"; ok=0; fi
  echo "$f: $([ "$ok" = 1 ] && echo fixed || echo NOT-fixed) by: $(python3 -c 'import json,sys; print("; ".join(c["run"] for c in json.load(open(sys.argv[1]))["diagnosis"]["causes"][0]["fix"]["commands"]))' "$json")" >>"$RESULTS/fix-verification"
}
