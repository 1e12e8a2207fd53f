# shellcheck shell=bash
# The iSCSI storage stack (`o2lab up --storage iscsi`): one target on the host
# (Debian's tgt, userspace tgtd, no kernel module) exporting the shared LUN on
# two portals, open-iscsi and dm-multipath in every guest, OCFS2 on the map.
#
# The guests reach the portals through their user-mode NIC (restrict=on): a qemu
# guestfwd per portal, 10.0.2.100:3260 -> 127.0.0.1:ISCSI_BASE and
# 10.0.2.101:3260 -> 127.0.0.1:ISCSI_BASE+1, each guest connection relayed by a
# socat qemu starts for it. Two portal addresses, so one path can be cut in the
# guest (an iptables DROP of one address) while the other carries the I/O.

ISCSI_BASE=${O2LAB_ISCSI_PORT_BASE:-43260}
# tgtd's management socket is /var/run/tgtd/socket.N: the lab's own N.
TGT_CTL=${O2LAB_TGT_CONTROL:-77}
IQN=iqn.2026-12.test.ocfs2:o2lab
# LUN 1 carries OCFS2; LUN 2 is a scratch map the lun-removed fault takes away
# (removing the shared LUN would fence every node at once).
MPATH_ALIAS=o2lab_shared
SCRATCH_ALIAS=o2lab_scratch
PORTALS="10.0.2.100 10.0.2.101"
# SCSI ids the target reports (VPD page 0x83), fixed so the WWIDs in
# multipath.conf and in the fixtures are the same in every run.
LUN1_SCSI_ID=o2lab-shared-0001
LUN2_SCSI_ID=o2lab-scratch-0002

tgt() { tgtadm -C "$TGT_CTL" --lld iscsi "$@"; }

# The qemu -netdev user option string for the two portals.
portal_forwards() {
  echo "guestfwd=tcp:10.0.2.100:3260-cmd:socat - TCP:127.0.0.1:$ISCSI_BASE,guestfwd=tcp:10.0.2.101:3260-cmd:socat - TCP:127.0.0.1:$((ISCSI_BASE + 1))"
}

start_target() { # SHARED-IMAGE SCRATCH-IMAGE
  local _
  stop_target
  need_free_port "$ISCSI_BASE" "iSCSI portal 1" O2LAB_ISCSI_PORT_BASE
  need_free_port "$((ISCSI_BASE + 1))" "iSCSI portal 2" O2LAB_ISCSI_PORT_BASE
  setsid tgtd -f -C "$TGT_CTL" --iscsi "portal=127.0.0.1:$ISCSI_BASE" >"$RUN/tgtd.log" 2>&1 </dev/null &
  echo $! >"$RUN/tgtd.pid"
  for _ in $(seq 50); do tgt --op show --mode portal >/dev/null 2>&1 && break; sleep 0.1; done
  tgt --op new --mode portal --param "portal=127.0.0.1:$((ISCSI_BASE + 1))"
  tgt --op new --mode target --tid 1 -T "$IQN"
  add_lun 1 "$1" "$LUN1_SCSI_ID" SHARED
  add_lun 2 "$2" "$LUN2_SCSI_ID" SCRATCH
  tgt --op bind --mode target --tid 1 -I ALL
}

add_lun() { # LUN IMAGE SCSI-ID PRODUCT
  tgt --op new --mode logicalunit --tid 1 --lun "$1" -b "$2"
  tgt --op update --mode logicalunit --tid 1 --lun "$1" --params "vendor_id=O2LAB,product_id=$4,scsi_id=$3,scsi_sn=$3"
}

# tgtd ignores SIGTERM in some states: the management "delete system" first.
stop_target() {
  [ -f "$RUN/tgtd.pid" ] || return 0
  tgtadm -C "$TGT_CTL" --op delete --mode system >/dev/null 2>&1 || true
  stop_pidfile "$RUN/tgtd.pid"
}

# The guest's side: iscsid, one node record per portal (no discovery: the target
# would announce its own 127.0.0.1 portals), login on both, multipathd, and the
# map. Prints "login S" and "map S" (seconds).
storage_login() { # N
  vm "$1" --timeout 300 "
t0=\$(date +%s.%N)
iscsid
for p in $PORTALS; do
  iscsiadm -m node -o new -T $IQN -p \$p:3260 >/dev/null
  iscsiadm -m node -T $IQN -p \$p:3260 -o update -n node.startup -v automatic
done
iscsiadm -m node -T $IQN -l >/tmp/login.log 2>&1 || { cat /tmp/login.log; exit 1; }
for _ in \$(seq 100); do [ \$(ls /sys/class/scsi_disk | wc -l) -ge 4 ] && break; sleep 0.2; done
t1=\$(date +%s.%N)
setsid /usr/sbin/o2lab-multipathd </dev/null >/dev/null 2>&1 &
for _ in \$(seq 150); do [ -b /dev/mapper/$MPATH_ALIAS ] && break; sleep 0.2; done
t2=\$(date +%s.%N)
[ -b /dev/mapper/$MPATH_ALIAS ] || { echo 'no map'; multipath -ll; exit 1; }
awk -v a=\$t0 -v b=\$t1 -v c=\$t2 'BEGIN{printf \"login %.1f\\nmap %.1f\\n\", b-a, c-b}'"
}

# The udev rules the storage stack relies on: SCSI ids (ID_SERIAL, multipath's
# uid_attribute), device-mapper's udev sync (libdevmapper waits for
# 95-dm-notify's `dmsetup udevcomplete`), multipath's path claiming.
UDEV_RULES="50-udev-default 55-dm 55-scsi-sg3_id 56-dm-mpath 58-scsi-sg3_symlink 60-block 60-multipath 60-persistent-storage 60-persistent-storage-dm 95-dm-notify"

# The initiator and multipath binaries from the host's open-iscsi and
# multipath-tools (scripts/setup installs them; their services are not started
# there), with multipath's checker and prioritizer plugins, and systemd-udevd:
# multipath-tools finds its paths through the udev database and learns of paths
# that come and go from udev's events.
add_storage() { # ROOT
  local root=$1 f r bins=(/sbin/iscsiadm /sbin/iscsid /sbin/iscsi-iname /sbin/multipath /sbin/multipathd /sbin/kpartx /usr/sbin/dmsetup
    /bin/udevadm /lib/udev/scsi_id /usr/bin/sg_inq /usr/bin/sg_vpd)
  for f in "${bins[@]}"; do install -D -m755 "$(readlink -f "$f")" "$root$f"; done
  mkdir -p "$root/lib/systemd" "$root/lib/udev/rules.d" "$root/etc/udev"
  ln -sf /bin/udevadm "$root/lib/systemd/systemd-udevd"
  for r in $UDEV_RULES; do install -m644 "/lib/udev/rules.d/$r.rules" "$root/lib/udev/rules.d/"; done
  echo 'udev_log=err' >"$root/etc/udev/udev.conf"
  mkdir -p "$root/lib/multipath"
  cp /lib/multipath/*.so "$root/lib/multipath/"
  copy_with_libs "$root" "${bins[@]}" /lib/multipath/*.so
  # multipathd's threads end with pthread_cancel, for which glibc dlopen()s
  # libgcc_s at run time (ldd does not list it): without it multipathd aborts
  # with "libgcc_s.so.1 must be installed for pthread_cancel to work" and no map
  # appears. It used to arrive as a library of the host's o2check, which the
  # image no longer carries (the .deb's binary is static).
  install -D -m644 "$(readlink -f /lib/x86_64-linux-gnu/libgcc_s.so.1)" "$root/lib/x86_64-linux-gnu/libgcc_s.so.1"
  install -D -m644 /etc/iscsi/iscsid.conf "$root/etc/iscsi/iscsid.conf.debian"
  # The fence story's tools (global-hb.sh): o2hbmonitor (ocfs2-tools), and
  # procps' ps for `o2check collect`'s process list (ps auxwww, as sosreport
  # takes it); in /usr/local/bin so it wins over the busybox applet.
  install -D -m755 /usr/sbin/o2hbmonitor "$root/usr/sbin/o2hbmonitor"
  install -D -m755 /bin/ps "$root/usr/local/bin/ps"
  copy_with_libs "$root" /usr/sbin/o2hbmonitor /bin/ps
}

# The WWID multipath gives a LUN of this target: udev's ID_SERIAL, "3" and the
# NAA designator tgt puts in VPD page 0x83, which tgt derives from the LU's
# SCSI id (as seen in the lab's sysfs wwid: naa.600000000000000020ab000a0ed00001).
lun_wwid() { # SCSI-ID
  case "$1" in
    "$LUN1_SCSI_ID") echo 3600000000000000020ab000a0ed00001 ;;
    "$LUN2_SCSI_ID") echo 360000000000000020ab00c0a0c000002 ;;
  esac
}
