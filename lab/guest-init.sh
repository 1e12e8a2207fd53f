#!/bin/busybox sh
# shellcheck shell=dash
# shellcheck disable=SC2154 # the O2_* variables are set by the eval below
# /init of the lab guests (PID 1). Everything node-specific comes from o2.*
# parameters on the kernel command line, so one initramfs serves every node and
# every fault: o2.host o2.ip o2.nodes (name@ip,name@ip,... in node-number order)
# o2.cluster o2.port o2.hbthr o2.idle o2.keepalive.
/bin/busybox mkdir -p /proc /sys /dev /tmp /run /run/sshd /var/run /var/lock/subsys /var/log /etc /dlm /mnt/ocfs2 /root /sbin /usr/bin /usr/sbin
# /var/tmp as on any host (sticky, world-writable): o2check's self-deploy refuses
# a node where it is missing or not a plain directory.
/bin/busybox mkdir -p /var/tmp && /bin/busybox chmod 1777 /var/tmp
/bin/busybox --install -s /bin
# GNU and util-linux tools in /usr/local/bin win over busybox applets for every
# PATH lookup (bash scripts, mount helpers): the reference lab found busybox's and Debian's mount helpers differ.
export PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin
# The kernel's request_module() runs /sbin/modprobe (e.g. "fs-ocfs2" at first mount).
for a in modprobe insmod rmmod lsmod depmod modinfo; do [ -e /sbin/$a ] || ln -s /bin/busybox /sbin/$a; done
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
read -r CMDLINE </proc/cmdline
for a in $CMDLINE; do
  case "$a" in o2.*=*) k=${a%%=*}; k=${k#o2.}; eval "O2_$k=\"\${a#*=}\"";; esac
done
hostname "$O2_host"
# o2cb(7)'s sysctls: an oops panics (and panic=-1 on the command line reboots).
echo 1 >/proc/sys/kernel/panic_on_oops
echo "$O2_host" >/etc/hostname
modprobe -a virtio_pci virtio_blk virtio_net
# iptables (legacy x_tables) for the port-blocked fault and o2check's iptables-save.
modprobe -a iptable_filter xt_tcpudp xt_multiport xt_comment 2>/dev/null
# The kernel makes the filter table on first use; until then iptables-save prints
# nothing, unlike a host whose firewall service loaded its rules at boot.
/usr/sbin/iptables -w -S >/dev/null 2>&1
ip link set lo up
# NICs by MAC, not by probe order: 52:54:00:77:* is the interconnect (the hub),
# 52:54:00:22:* the user-mode NIC that only carries ssh from the host.
# shellcheck disable=SC2254 # $1 is a glob on purpose
nic() { for d in /sys/class/net/*; do case "$(cat "$d/address")" in $1) echo "${d##*/}"; return;; esac; done; }
for _ in $(seq 25); do [ -n "$(nic '52:54:00:77:*')" ] && [ -n "$(nic '52:54:00:22:*')" ] && break; sleep 0.2; done
ICNIC=$(nic '52:54:00:77:*') SSHNIC=$(nic '52:54:00:22:*')
ip link set "$ICNIC" up
ip addr add "$O2_ip/24" dev "$ICNIC"
# slirp's default guest address, set statically (no DHCP client needed); no
# default route: ssh replies go to the on-link gateway 10.0.2.2 only.
ip link set "$SSHNIC" up
ip addr add 10.0.2.15/24 dev "$SSHNIC"
NODES=$(echo "$O2_nodes" | tr , ' ')
printf '127.0.0.1 localhost\n' >/etc/hosts
for e in $NODES; do printf '%s %s\n' "${e#*@}" "${e%@*}" >>/etc/hosts; done
mkdir -p /etc/ocfs2 /etc/default
# cluster.conf as `o2cb add-node` writes it: tab-indented, blank line between stanzas.
# shellcheck disable=SC2086 # split into one argument per node
set -- $NODES
printf 'cluster:\n\tnode_count = %s\n\theartbeat_mode = local\n\tname = %s\n' $# "$O2_cluster" >/etc/ocfs2/cluster.conf
i=0
for e in $NODES; do
  i=$((i + 1))
  printf '\nnode:\n\tip_port = %s\n\tip_address = %s\n\tnumber = %s\n\tname = %s\n\tcluster = %s\n' "$O2_port" "${e#*@}" "$i" "${e%@*}" "$O2_cluster" >>/etc/ocfs2/cluster.conf
done
cat >/etc/default/o2cb <<EOD
O2CB_ENABLED=true
O2CB_STACK=o2cb
O2CB_BOOTCLUSTER=$O2_cluster
O2CB_HEARTBEAT_THRESHOLD=${O2_hbthr:-31}
O2CB_IDLE_TIMEOUT_MS=${O2_idle:-30000}
O2CB_KEEPALIVE_DELAY_MS=${O2_keepalive:-2000}
O2CB_RECONNECT_DELAY_MS=2000
EOD
SHARED_DEV=/dev/vda
# o2.storage=iscsi: OCFS2 on the dm-multipath map over two iSCSI sessions
# (lab/storage.sh logs in from the host's side); o2.nopath is multipath's
# no_path_retry (fail, queue or a count of polling intervals).
if [ "${O2_storage:-}" = iscsi ]; then
  modprobe -a iscsi_tcp sd_mod sg dm_multipath dm_round_robin dm_service_time
  # udevd: ID_SERIAL for multipath, dm's udev sync, path add/remove events.
  mkdir -p /run/udev
  /lib/systemd/systemd-udevd --daemon
  udevadm trigger --action=add --subsystem-match=block --subsystem-match=scsi
  udevadm settle --timeout=30
  # multipathd in the foreground (no syslog daemon here), its messages (-s:
  # without its own timestamps) into /var/log/multipathd.log with the header
  # syslog would give them; lab/storage.sh starts it after the login.
  cat >/usr/sbin/o2lab-multipathd <<'EOD'
#!/bin/sh
h=$(uname -n | cut -d. -f1)
multipathd -d -s 2>&1 | awk -v h="$h" '{ if (!p) getline p <"/run/multipathd.pid"; print strftime("%b %e %H:%M:%S") " " h " multipathd[" p "]: " $0; fflush() }' >>/var/log/multipathd.log
EOD
  chmod 755 /usr/sbin/o2lab-multipathd
  SHARED_DEV=/dev/mapper/o2lab_shared
  mkdir -p /etc/iscsi /var/lib/iscsi /run/lock/iscsi /etc/multipath /run/multipathd
  echo "InitiatorName=iqn.2026-12.test.ocfs2:$O2_host" >/etc/iscsi/initiatorname.iscsi
  # Debian's iscsid.conf with short recovery: a lost path fails over to the
  # other within noop-out 1+1 s and a 3 s replacement timeout (Debian: 5, 5,
  # 120), under half the 12 s dead time: with 2+2+5 s the lab logged `hb write
  # hung for 6s ... negotiate timeout` on one path down (multipath-failover-time).
  sed -e 's/^node.session.timeo.replacement_timeout = .*/node.session.timeo.replacement_timeout = 3/' \
    -e 's/^node.conn\[0\].timeo.noop_out_interval = .*/node.conn[0].timeo.noop_out_interval = 1/' \
    -e 's/^node.conn\[0\].timeo.noop_out_timeout = .*/node.conn[0].timeo.noop_out_timeout = 1/' \
    /etc/iscsi/iscsid.conf.debian >/etc/iscsi/iscsid.conf
  # The seed's multipath.conf (multibus, readsector0, failback immediate,
  # user_friendly_names) with the lab's maps by WWID and alias; the virtio disk
  # is not a path. The WWIDs are the SCSI ids lab/storage.sh gives the LUNs.
  cat >/etc/multipath.conf <<EOD
defaults {
    path_grouping_policy    multibus
    path_checker            readsector0
    rr_min_io_rq            10
    max_fds                 8192
    rr_weight               priorities
    failback                immediate
    no_path_retry           ${O2_nopath:-4}
    polling_interval        1
    user_friendly_names     yes
    find_multipaths         no
}

blacklist {
    devnode "^vd[a-z]"
}

multipaths {
    multipath {
        wwid                    ${O2_wwid1}
        alias                   o2lab_shared
    }
    multipath {
        wwid                    ${O2_wwid2}
        alias                   o2lab_scratch
    }
}
EOD
fi
echo "$SHARED_DEV /mnt/ocfs2 ocfs2 _netdev,defaults 0 0" >/etc/fstab
ln -sf /proc/mounts /etc/mtab
# The boot-time settings, and o2lab-restore to put them back: faults change the
# hostname, /etc/default/o2cb or /etc/fstab of a running node, and the next fault
# starts from these without a reboot (with an empty kernel log, like a boot).
mkdir -p /run/o2lab
cp /etc/hostname /etc/default/o2cb /etc/fstab /etc/ocfs2/cluster.conf /run/o2lab/
[ -f /etc/multipath.conf ] && cp /etc/multipath.conf /run/o2lab/
cat >/usr/sbin/o2lab-restore <<'EOD'
#!/bin/sh
cp /run/o2lab/o2cb /etc/default/o2cb
cp /run/o2lab/fstab /etc/fstab
cp /run/o2lab/cluster.conf /etc/ocfs2/cluster.conf
cp /run/o2lab/hostname /etc/hostname
[ -f /run/o2lab/multipath.conf ] && cp /run/o2lab/multipath.conf /etc/multipath.conf
hostname "$(cat /etc/hostname)"
dmesg -c >/dev/null
EOD
chmod 755 /usr/sbin/o2lab-restore
# sshd for the host (lab/.work/ssh_config); /run/sshd is its privilege-separation
# directory. Started before the agent, so a node the agent reaches takes ssh.
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
chmod 755 /run/sshd
/usr/sbin/sshd -E /var/log/sshd.log || echo "O2LAB: sshd failed: $(cat /var/log/sshd.log)"
echo "O2LAB: ready $(uname -n) $O2_ip"
# The agent on ttyS1: "ID BASE64" lines in, script output and "@@DONE ID RC" out.
# Scripts run under bash: busybox ash prefers its own applets (mount, date) to PATH.
agent() {
  stty -F /dev/ttyS1 raw -echo 2>/dev/null
  exec </dev/ttyS1 >/dev/ttyS1 2>&1
  while IFS= read -r line; do
    id=${line%% *}
    case "$id" in ''|*[!0-9a-zA-Z_]*) continue;; esac
    if echo "${line#* }" | base64 -d >"/tmp/cmd.$id" 2>/dev/null; then
      /bin/bash "/tmp/cmd.$id" </dev/null 2>&1
      echo "@@DONE $id $?"
    else
      echo "@@DONE $id 254"
    fi
  done
}
( while true; do agent; sleep 1; done ) &
while true; do setsid sh -c 'exec sh </dev/ttyS0 >/dev/ttyS0 2>&1'; sleep 1; done
