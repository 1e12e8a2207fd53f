#!/bin/busybox sh
# /init of the lab guests (PID 1). Everything node-specific comes from o2.*
# parameters on the kernel command line, so one initramfs serves every node and
# every fault: o2.host o2.ip o2.n1 o2.n1ip o2.n2 o2.n2ip o2.cluster o2.port
# o2.hbthr o2.idle o2.keepalive.
/bin/busybox mkdir -p /proc /sys /dev /tmp /run /var/run /var/lock/subsys /var/log /etc /dlm /mnt/ocfs2 /root /sbin /usr/bin /usr/sbin
/bin/busybox --install -s /bin
# GNU and util-linux tools in /usr/local/bin win over busybox applets for every
# PATH lookup (bash scripts, mount helpers): REPORT.md pitfalls 2-3.
export PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin
# The kernel's request_module() runs /sbin/modprobe (e.g. "fs-ocfs2" at first mount).
for a in modprobe insmod rmmod lsmod depmod modinfo; do [ -e /sbin/$a ] || ln -s /bin/busybox /sbin/$a; done
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
for a in $(cat /proc/cmdline); do
  case "$a" in o2.*=*) k=${a%%=*}; k=${k#o2.}; eval "O2_$k=\"\${a#*=}\"";; esac
done
hostname "$O2_host"
echo "$O2_host" >/etc/hostname
modprobe -a virtio_pci virtio_blk virtio_net
ip link set lo up
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -e /sys/class/net/eth0 ] && break; sleep 0.2; done
ip link set eth0 up
ip addr add "$O2_ip/24" dev eth0
printf '127.0.0.1 localhost\n%s %s\n%s %s\n' "$O2_n1ip" "$O2_n1" "$O2_n2ip" "$O2_n2" >/etc/hosts
mkdir -p /etc/ocfs2 /etc/default
# cluster.conf as `o2cb add-node` writes it: tab-indented, blank line between stanzas.
printf 'cluster:\n\tnode_count = 2\n\theartbeat_mode = local\n\tname = %s\n\n' "$O2_cluster" >/etc/ocfs2/cluster.conf
printf 'node:\n\tip_port = %s\n\tip_address = %s\n\tnumber = 1\n\tname = %s\n\tcluster = %s\n\n' "$O2_port" "$O2_n1ip" "$O2_n1" "$O2_cluster" >>/etc/ocfs2/cluster.conf
printf 'node:\n\tip_port = %s\n\tip_address = %s\n\tnumber = 2\n\tname = %s\n\tcluster = %s\n' "$O2_port" "$O2_n2ip" "$O2_n2" "$O2_cluster" >>/etc/ocfs2/cluster.conf
cat >/etc/default/o2cb <<EOD
O2CB_ENABLED=true
O2CB_STACK=o2cb
O2CB_BOOTCLUSTER=$O2_cluster
O2CB_HEARTBEAT_THRESHOLD=${O2_hbthr:-31}
O2CB_IDLE_TIMEOUT_MS=${O2_idle:-30000}
O2CB_KEEPALIVE_DELAY_MS=${O2_keepalive:-2000}
O2CB_RECONNECT_DELAY_MS=2000
EOD
echo "/dev/vda /mnt/ocfs2 ocfs2 _netdev,defaults 0 0" >/etc/fstab
ln -sf /proc/mounts /etc/mtab
echo "O2LAB: ready $(uname -n) $O2_ip"
# The agent on ttyS1: "ID BASE64" lines in, script output and "@@DONE ID RC" out.
# Scripts run under bash: busybox ash prefers its own applets (mount, date) to PATH.
agent() {
  stty -F /dev/ttyS1 raw -echo 2>/dev/null
  exec </dev/ttyS1 >/dev/ttyS1 2>&1
  while IFS= read -r line; do
    id=${line%% *}
    case "$id" in ''|*[!0-9a-zA-Z_]*) continue;; esac
    if echo "${line#* }" | base64 -d >/tmp/cmd.$id 2>/dev/null; then
      /bin/bash /tmp/cmd.$id </dev/null 2>&1
      echo "@@DONE $id $?"
    else
      echo "@@DONE $id 254"
    fi
  done
}
( while true; do agent; sleep 1; done ) &
while true; do setsid sh -c 'exec sh </dev/ttyS0 >/dev/ttyS0 2>&1'; sleep 1; done
