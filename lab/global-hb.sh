# shellcheck shell=bash
# The global-heartbeat variant of the raw-image lab (`o2lab up --heartbeat
# global`): the shared image formatted with `mkfs.ocfs2 --global-heartbeat`, its
# heartbeat region in cluster.conf on every node (`o2cb add-heartbeat`, `o2cb
# heartbeat-mode global`, ocfs2-tools o2cb(8)), started by the init script's
# online (`o2cb start-heartbeat`); o2hbmonitor running as o2cb's online starts it
# (ocfs2-tools o2monitor/o2hbmonitor.8). Raw image rather than iSCSI: the region
# only needs a device every node shares, and the raw lab boots and mounts in
# ~30 s where the iSCSI one takes ~2 min, which keeps this phase inside its
# budget. Its two faults, injected into node 2 while node 1 keeps the volume
# mounted: region-missing (node 2's cluster.conf lacks the heartbeat stanza, so
# its start-heartbeat starts nothing and the mount fails), global-running-local
# (cluster.conf says global, the cluster node 2 registered runs local: the file
# was changed after the online) and o2hbmonitor-stopped (killed: the heartbeat
# runs unwatched).

GLOBAL_FAULTS="region-missing global-running-local o2hbmonitor-stopped"

# The UUID of the shared volume, uppercase without dashes: the region name.
global_region() { vm 1 --timeout 30 "o2cb list-heartbeats $CLUSTER | awk '/region =/{print \$3; exit}'"; }

# From the running (local-mode) raw lab: every node offline, the image
# reformatted for global heartbeat from node 1, the region added and the mode
# switched with o2cb on node 1, that cluster.conf copied to the others, then
# online (starts the region and o2hbmonitor) and mount.
global_up() {
  local t n conf pids=() p ok=1; t=$(now)
  for n in $(seq "$NODES"); do vm "$n" --timeout 120 'umount /mnt/ocfs2 2>/dev/null; /etc/init.d/o2cb offline >/dev/null 2>&1; true'; done
  # mkfs asks to confirm when it cannot check the cluster (offline): "y".
  vm 1 --timeout 120 "echo y | mkfs.ocfs2 -F -q -N 4 -b 4K -C 4K -J size=8M -L o2lab --cluster-stack=o2cb --cluster-name=$CLUSTER --global-heartbeat /dev/vda >/tmp/mkfs.log 2>&1 || { cat /tmp/mkfs.log; exit 1; }
o2cb add-heartbeat $CLUSTER /dev/vda && o2cb heartbeat-mode $CLUSTER global" >/dev/null ||
    { log "global heartbeat setup failed on node1"; return 1; }
  conf=$(vm 1 'base64 -w0 /etc/ocfs2/cluster.conf')
  for n in $(seq 2 "$NODES"); do vm "$n" "echo $conf | base64 -d >/etc/ocfs2/cluster.conf"; done
  for n in $(seq "$NODES"); do cp_boot_conf "$n"; global_online "$n" & pids+=($!); done
  for p in "${pids[@]}"; do wait "$p" || ok=0; done
  [ "$ok" = 1 ] || { log "global heartbeat: online or mount failed"; vm 2 'tail -5 /tmp/online.log; dmesg | tail -5' || true; return 1; }
  log "global heartbeat on region $(global_region), $NODES nodes mounted $(elapsed "$t") s after the switch"
}

# The healthy cluster.conf, kept to restore node N after a fault.
cp_boot_conf() { vm "$1" 'cp /etc/ocfs2/cluster.conf /run/o2lab/cluster.conf.global'; }

# Online (registers the cluster in the mode cluster.conf gives, starts global
# heartbeat and o2hbmonitor: ocfs2-tools vendor/common/o2cb.init.sh,
# online_o2cb()), then mount.
global_online() { # N
  vm "$1" --timeout 240 "/etc/init.d/o2cb online >/tmp/online.log 2>&1 || exit 1
mount -t ocfs2 -o _netdev /dev/vda /mnt/ocfs2"
}

# Node 2 back to the healthy global state: its boot cluster.conf, online, mounted.
reset_global_node2() {
  vm 2 --timeout 120 'umount /mnt/ocfs2 2>/dev/null; /etc/init.d/o2cb offline >/dev/null 2>&1; cp /run/o2lab/cluster.conf.global /etc/ocfs2/cluster.conf; dmesg -c >/dev/null' >/dev/null
  global_online 2 >/dev/null
}

# A fault starts from a healthy node 2 (a previous fault left it unmounted).
global_fault() { # NAME
  local region
  vm 2 "grep -q ' /mnt/ocfs2 ' /proc/mounts" || reset_global_node2
  case "$1" in
    region-missing)
      region=$(global_region)
      vm 2 --timeout 120 "umount /mnt/ocfs2; /etc/init.d/o2cb offline >/dev/null 2>&1; dmesg -c >/dev/null
o2cb remove-heartbeat $CLUSTER $region
/etc/init.d/o2cb online >/tmp/online.log 2>&1" >/dev/null || true
      try_mount 2 /dev/vda 60 >"$RUN/mount-$1.txt" ;;
    global-running-local)
      # The mode is read at registration: registered local, then the file says global.
      vm 2 --timeout 120 "umount /mnt/ocfs2; /etc/init.d/o2cb offline >/dev/null 2>&1; dmesg -c >/dev/null
o2cb heartbeat-mode $CLUSTER local && /etc/init.d/o2cb online >/tmp/online.log 2>&1
o2cb heartbeat-mode $CLUSTER global" >/dev/null || true
      try_mount 2 /dev/vda 60 >"$RUN/mount-$1.txt" ;;
    o2hbmonitor-stopped)
      # Died or never started: the heartbeat goes on unwatched, the volume stays mounted.
      vm 2 'killall o2hbmonitor; sleep 1; ! pidof o2hbmonitor' >"$RUN/mount-$1.txt" ;;
    *) log "global faults: $GLOBAL_FAULTS (got '$1')"; return 2 ;;
  esac
  log "$1: $(tr '\n' ' ' <"$RUN/mount-$1.txt")"
}

# The raw outputs of one global-mode state (healthy or a fault's name) of node N
# into $WORK/captures/global-STATE/nodeN, with the fault's mount output.
capture_global() { # N STATE
  local dir=$WORK/captures/global-${2#global-}/node$1 m
  mkdir -p "$dir"
  for m in "$RUN/mount-$2.txt" "$RUN/mount-global-$2.txt"; do [ "$1" = 2 ] && [ -f "$m" ] && cp "$m" "$dir/mount.txt"; done
  vm "$1" --timeout 120 "
c() { local f=\$1; shift; \"\$@\" >\"/tmp/cap/\$f\" 2>&1; echo \"rc=\$?\" >>\"/tmp/cap/\$f.rc\"; }
rm -rf /tmp/cap; mkdir -p /tmp/cap
c o2cb-status.txt /etc/init.d/o2cb status
c o2cb-list-cluster.txt o2cb list-cluster $CLUSTER
c o2cb-list-heartbeats.txt o2cb list-heartbeats $CLUSTER
c o2cb-cluster-status.txt o2cb cluster-status $CLUSTER
c cluster.conf.txt cat /etc/ocfs2/cluster.conf
c configfs-heartbeat.txt sh -c 'cd /sys/kernel/config/cluster && for f in \$(find . -path \"*heartbeat*\" -type f | sort); do printf \"%s: \" \$f; cat \$f 2>&1 | head -1; done'
c ps-auxwww.txt ps auxwww
c dmesg.txt dmesg
tar -C /tmp/cap -czf - . | base64 -w0; echo" | tr -d '\n' | base64 -d | tar -xzf - -C "$dir"
  if [ "${O2LAB_BUNDLES:-0}" = 1 ]; then bundle_out "$1" "$WORK/bundles/global-${2#global-}-node$1" || true; fi
}
