# shellcheck shell=bash
# Named faults, injected into node 2 while node 1 keeps the volume mounted. Each
# leaves node 2 in the faulty state and prints the mount error it caused (if any)
# to $RUN/fault-NAME.mount so acceptance can hand it to `o2check why`.

FAULTS="hostname-mismatch idle-timeout-mismatch hb-threshold-mismatch link-down o2cb-offline dlmfs-unmounted disk-cluster-name node-killed"

# Node 2 unmounted and offline, then rebooted with extra kernel arguments.
reboot_node2() { # [extra kernel args] [hostname]
  vm 2 --timeout 60 'umount /mnt/ocfs2 2>/dev/null; /etc/init.d/o2cb offline >/dev/null 2>&1; true' >/dev/null 2>&1 || true
  stop_vm 2
  boot_node 2 "${1:-}" "${2:-}"
}

fault() { # NAME
  local name=$1 out=$RUN/fault-$1.mount
  : >"$out"
  case "$name" in
    hostname-mismatch)
      reboot_node2 "" n151.test.com
      vm 2 '/etc/init.d/o2cb online' >/dev/null
      try_mount 2 /dev/vda 60 >"$out" ;;
    idle-timeout-mismatch)
      reboot_node2 "o2.idle=6000"
      vm 2 '/etc/init.d/o2cb online' >/dev/null
      try_mount 2 /dev/vda 120 >"$out" ;;
    hb-threshold-mismatch)
      reboot_node2 "o2.hbthr=9"
      vm 2 '/etc/init.d/o2cb online' >/dev/null
      try_mount 2 /dev/vda 120 >"$out" ;;
    link-down)
      reboot_node2
      mon 2 "set_link n0 off"
      vm 2 '/etc/init.d/o2cb online' >/dev/null
      try_mount 2 /dev/vda 120 >"$out" ;;
    o2cb-offline)
      reboot_node2
      vm 2 '/etc/init.d/o2cb load' >/dev/null
      try_mount 2 /dev/vda 60 >"$out" ;;
    dlmfs-unmounted)
      reboot_node2
      vm 2 '/etc/init.d/o2cb online >/dev/null; mount -t ocfs2 /dev/vda /mnt/ocfs2; umount /dlm' >/dev/null ;;
    disk-cluster-name)
      # A second volume formatted for another cluster, attached to node 2 as vdb.
      make_disk "$RUN/other.img" wrongclu
      reboot_node2
      rm -f "$RUN/other.img"
      vm 2 '/etc/init.d/o2cb online' >/dev/null
      vm 2 "echo '/dev/vdb /mnt/ocfs2 ocfs2 _netdev 0 0' >/etc/fstab"
      try_mount 2 /dev/vdb 60 >"$out" ;;
    node-killed)
      # Node 2 dies with the volume mounted: node 1 must notice (dead threshold),
      # recover node 2's journal and go on.
      reboot_node2
      online_and_mount 2 >/dev/null
      stop_vm 2
      sleep 25 ;;
    *) log "unknown fault $name (known: $FAULTS)"; return 2 ;;
  esac
}
