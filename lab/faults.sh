# shellcheck shell=bash
# Named faults, injected into node 2 while node 1 keeps the volume mounted. Each
# leaves node 2 in the faulty state and prints the mount error it caused (if any)
# to $RUN/fault-NAME.mount so acceptance can hand it to `o2check why`.

FAULTS="hostname-mismatch idle-timeout-mismatch hb-threshold-mismatch link-down port-blocked o2cb-offline cluster-unregistered cluster-removed modules-unloaded too-few-slots dlmfs-unmounted disk-cluster-name node-killed"

# The port-blocked rule on node 1 (iptables -A/-D argument list).
BLOCK_RULE="INPUT -p tcp --dport $PORT -j DROP"
# The ACCEPT rule `why`'s fix for port-blocked adds (lab/fixes.sh), removed again.
UNDO_FIX_RULE="while iptables -D INPUT -p tcp --dport $PORT -j ACCEPT 2>/dev/null; do :; done"

# Node 2 back to a healthy node that is unmounted and offline, with its boot-time
# settings, without a reboot (a TCG boot costs 10-15 s a fault, and the suite has
# a 10-minute budget). Node 1 loses a port-blocked rule and node 2's link comes
# back, so every fault starts from the same healthy cluster. Node 2's kernel log is
# cleared: one fault's messages must not decide the next fault's diagnosis. A
# stopped node 2 (node-killed) is booted.
reset_node2() {
  local _
  vm 1 "while iptables -D $BLOCK_RULE 2>/dev/null; do :; done; $UNDO_FIX_RULE" >/dev/null 2>&1 || true
  if ! vm_running 2; then boot_node 2; return; fi
  mon 2 "set_link n0 on" >/dev/null
  # `load` after a fault that unloaded the stack; a no-op otherwise.
  vm 2 --timeout 60 "umount /mnt/ocfs2 2>/dev/null; umount $SLOTS_MNT 2>/dev/null; umount $OTHER_MNT 2>/dev/null; /etc/init.d/o2cb offline >/dev/null 2>&1; /etc/init.d/o2cb load >/dev/null 2>&1; $UNDO_FIX_RULE; o2lab-restore" >/dev/null 2>&1 || true
  if mon 2 "info block" | grep -q '^other '; then # disk-cluster-name's disk
    mon 2 "device_del vdb" >/dev/null
    for _ in $(seq 50); do mon 2 "info block" | grep -q '^other ' || break; sleep 0.2; done
  fi
  unplug_slots_disk
}

# too-few-slots' one-slot volume, on both nodes (node 1 holds its only slot).
SLOTS_MNT=/mnt/slots
# disk-cluster-name's volume of another cluster, on node 2 only.
OTHER_MNT=/mnt/other
plug_slots_disk() {
  local n
  rm -f "$RUN/slots.img"; truncate -s 256M "$RUN/slots.img"
  mkfs.ocfs2 -F -q -N 1 -b 4K -C 4K -J size=8M -L slots --cluster-stack=o2cb --cluster-name="$CLUSTER" "$RUN/slots.img" >"$RUN/mkfs-slots.log" 2>&1
  for n in 1 2; do
    mon "$n" "drive_add 0 if=none,id=slots,file=$RUN/slots.img,format=raw,cache=writeback,file.locking=off" >/dev/null
    mon "$n" "device_add virtio-blk-pci,drive=slots,id=vdslots,bus=hp0,share-rw=on" >/dev/null
    vm "$n" "for _ in \$(seq 50); do [ -b /dev/vdb ] && break; sleep 0.2; done; [ -b /dev/vdb ]"
  done
}

unplug_slots_disk() {
  local n _
  for n in 1 2; do
    vm_running "$n" || continue
    mon "$n" "info block" | grep -q '^slots ' || continue
    [ "$n" = 1 ] && vm 1 "umount $SLOTS_MNT 2>/dev/null; true" >/dev/null 2>&1
    mon "$n" "device_del vdslots" >/dev/null
    for _ in $(seq 50); do mon "$n" "info block" | grep -q '^slots ' || break; sleep 0.2; done
  done
  rm -f "$RUN/slots.img"
}

fault() { # NAME
  local name=$1 out=$RUN/fault-$1.mount
  : >"$out"
  case "$name" in
    hostname-mismatch)
      # Renamed while running, as an administrator would: o2cb online and
      # mount.ocfs2 read `uname -n` when they run.
      reset_node2
      vm 2 'hostname n151.test.com; echo n151.test.com >/etc/hostname; /etc/init.d/o2cb online' >/dev/null
      try_mount 2 /dev/vda 60 >"$out" ;;
    idle-timeout-mismatch)
      reset_node2
      vm 2 'sed -i "s/^O2CB_IDLE_TIMEOUT_MS=.*/O2CB_IDLE_TIMEOUT_MS=6000/" /etc/default/o2cb; /etc/init.d/o2cb online' >/dev/null
      try_mount 2 /dev/vda 120 >"$out" ;;
    hb-threshold-mismatch)
      reset_node2
      vm 2 'sed -i "s/^O2CB_HEARTBEAT_THRESHOLD=.*/O2CB_HEARTBEAT_THRESHOLD=9/" /etc/default/o2cb; /etc/init.d/o2cb online' >/dev/null
      try_mount 2 /dev/vda 120 >"$out" ;;
    link-down)
      reset_node2
      mon 2 "set_link n0 off"
      vm 2 '/etc/init.d/o2cb online' >/dev/null
      try_mount 2 /dev/vda 120 >"$out" ;;
    port-blocked)
      # o2net: the higher-numbered node connects to the lower one's port, so the
      # DROP goes on node 1, the acceptor, and node 2's mount is the one that fails
      # (node 1's own o2net-port check sees the rule). Added once node 2 is down,
      # so that node 2's unmount still reaches node 1. (With a third node it
      # would cut node 3's link to node 1 too: faults are a two-node affair.)
      reset_node2
      vm 1 "iptables -A $BLOCK_RULE"
      vm 2 '/etc/init.d/o2cb online' >/dev/null
      try_mount 2 /dev/vda 120 >"$out" ;;
    o2cb-offline)
      reset_node2
      vm 2 '/etc/init.d/o2cb load' >/dev/null
      try_mount 2 /dev/vda 60 >"$out" ;;
    cluster-unregistered)
      # Brought online, then unregistered by hand (`o2cb unregister-cluster`,
      # what an administrator does to change cluster.conf).
      reset_node2
      vm 2 '/etc/init.d/o2cb online >/dev/null; o2cb unregister-cluster o2lab' >/dev/null
      try_mount 2 /dev/vda 60 >"$out" ;;
    cluster-removed)
      # `o2cb remove-cluster` while online (it edits cluster.conf only: the
      # registered cluster and a mount still work), then the cluster taken
      # offline (heartbeat stopped, unregistered): from then on o2cb cannot
      # register it again (`o2cb: Unknown cluster`) and the mount fails.
      reset_node2
      vm 2 '/etc/init.d/o2cb online >/dev/null; o2cb remove-cluster o2lab; /etc/init.d/o2cb offline' >/dev/null
      try_mount 2 /dev/vda 60 >"$out" ;;
    modules-unloaded)
      # The o2cb stack unloaded (`/etc/init.d/o2cb unload`: configfs, dlmfs and
      # the modules gone), as after a stopped service.
      reset_node2
      vm 2 '/etc/init.d/o2cb unload' >/dev/null 2>&1 || true
      try_mount 2 /dev/vda 60 >"$out" ;;
    too-few-slots)
      # A volume with one slot, mounted on node 1: node 2 finds no free slot.
      reset_node2
      plug_slots_disk
      vm 1 "mkdir -p $SLOTS_MNT; mount -t ocfs2 /dev/vdb $SLOTS_MNT" >/dev/null
      # Node 2 mounts it where node 1 has it, not on /mnt/ocfs2: one mount
      # point holding two volumes across the nodes is a fault of its own
      # (same-volume-uuid), and the repaired cluster must pass.
      vm 2 "/etc/init.d/o2cb online >/dev/null; mkdir -p $SLOTS_MNT; echo '/dev/vdb $SLOTS_MNT ocfs2 _netdev 0 0' >/etc/fstab"
      try_mount 2 /dev/vdb 120 "$SLOTS_MNT" >"$out" ;;
    dlmfs-unmounted)
      reset_node2
      vm 2 '/etc/init.d/o2cb online >/dev/null; mount -t ocfs2 /dev/vda /mnt/ocfs2; umount /dlm' >/dev/null ;;
    disk-cluster-name)
      # A second volume formatted for another cluster, plugged into node 2's free
      # PCIe slot as vdb (a hot-plug, not a reboot: 1 s instead of 15).
      reset_node2
      make_disk "$RUN/other.img" wrongclu
      mon 2 "drive_add 0 if=none,id=other,file=$RUN/other.img,format=raw,cache=writeback" >/dev/null
      mon 2 "device_add virtio-blk-pci,drive=other,id=vdb,bus=hp0" >/dev/null
      rm -f "$RUN/other.img" # qemu holds it open until the disk is unplugged
      vm 2 "for _ in \$(seq 50); do [ -b /dev/vdb ] && break; sleep 0.2; done
            /etc/init.d/o2cb online >/dev/null; mkdir -p $OTHER_MNT; echo '/dev/vdb $OTHER_MNT ocfs2 _netdev 0 0' >/etc/fstab"
      # Its own mount point, as too-few-slots': node 1 has the shared volume on
      # /mnt/ocfs2, and two volumes on one mount point fail same-volume-uuid.
      try_mount 2 /dev/vdb 60 "$OTHER_MNT" >"$out" ;;
    node-killed)
      # Node 2 dies with the volume mounted: node 1 must notice (dead threshold),
      # recover node 2's journal and go on.
      reset_node2
      online_and_mount 2 >/dev/null
      stop_vm 2
      # Done when node 1 has replayed node 2's journal (dead threshold ~12 s with
      # hbthr 7, then DLM recovery), rather than after a fixed sleep.
      vm 1 --timeout 90 "for _ in \$(seq 80); do dmesg | grep -q 'ocfs2: End replay journal' && break; sleep 1; done; sleep 2" ;;
    *) log "unknown fault $name (known: $FAULTS)"; return 2 ;;
  esac
}
