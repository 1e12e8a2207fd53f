# shellcheck shell=bash
# The lab's machinery: packages, kernel, initramfs, shared disk, VMs, agent.

log() { printf '[o2lab %s] %s\n' "$(date +%T)" "$*" >&2; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}'; }

host_packages() {
  local need=() p
  for p in qemu-system-x86 busybox-static cpio kmod ocfs2-tools python3; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
  done
  [ ${#need[@]} -eq 0 ] && return
  log "installing ${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >"$WORK/apt.log" 2>&1
}

# The pinned kernel package if apt (or the cache) still has it, else the current one.
kernel_package() {
  local pin
  pin=$(grep -v '^#' "$LAB_SRC/kernel.pin" | head -1)
  if [ "${O2LAB_KERNEL:-}" != latest ]; then
    if ls "$WORK/debs/${pin}"_*.deb >/dev/null 2>&1 || apt-cache show "$pin" >/dev/null 2>&1; then
      echo "$pin"; return
    fi
    log "WARNING: pinned $pin is no longer in the archive; using linux-image-amd64's (update lab/kernel.pin)"
  fi
  apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/{print $2; exit}'
}

# Only vmlinuz and the modules the lab needs are extracted from the kernel deb.
fetch_kernel() {
  KPKG=$(kernel_package)
  [ -n "$KPKG" ] || { log "cannot resolve a kernel package"; exit 1; }
  mkdir -p "$WORK/debs"
  if ! ls "$WORK/debs/${KPKG}"_*.deb >/dev/null 2>&1; then
    log "downloading $KPKG"
    (cd "$WORK/debs" && chown _apt . 2>/dev/null; apt-get download "$KPKG" >"$WORK/apt-download.log" 2>&1)
  fi
  KROOT=$WORK/kernel-$KPKG
  if [ ! -f "$KROOT/.done" ]; then
    rm -rf "$KROOT"; mkdir -p "$KROOT"
    dpkg-deb --fsys-tarfile "$WORK/debs/${KPKG}"_*.deb |
      tar -x -C "$KROOT" --wildcards './boot/vmlinuz-*' './lib/modules/*/modules.*' \
        './lib/modules/*/kernel/fs/ocfs2' './lib/modules/*/kernel/fs/configfs' './lib/modules/*/kernel/fs/jbd2' \
        './lib/modules/*/kernel/fs/quota' './lib/modules/*/kernel/drivers/virtio' './lib/modules/*/kernel/drivers/block/virtio_blk.ko' \
        './lib/modules/*/kernel/drivers/net' './lib/modules/*/kernel/net/core' './lib/modules/*/kernel/lib' './lib/modules/*/kernel/crypto' 2>/dev/null || true
    KV=$(ls "$KROOT/lib/modules")
    depmod -b "$KROOT" "$KV"
    touch "$KROOT/.done"
  fi
  KV=$(ls "$KROOT/lib/modules")
  VMLINUZ=$(ls "$KROOT"/boot/vmlinuz-*)
  echo "$KPKG" >"$WORK/kernel-used.txt"
}

copy_with_libs() { # DEST FILE... : the files' shared libraries (ldd), loader included
  local dest=$1; shift
  for f in "$@"; do ldd "$f" 2>/dev/null | awk '/=>/ && $3 ~ /^\//{print $3} /^[ \t]*\/lib64\//{print $1}'; done |
    sort -u | while read -r l; do install -D -m755 "$(readlink -f "$l")" "$dest$l"; done
}

build_initramfs() {
  [ -x "$O2CHECK_BIN" ] || { log "build o2check first: cargo build --release ($O2CHECK_BIN)"; exit 1; }
  local key root
  key=$(cat "$LAB_SRC/guest-init.sh" "$LAB_SRC/lib.sh" "$O2CHECK_BIN" "$WORK/kernel-used.txt" | sha256sum | cut -c1-16)
  INITRD=$WORK/initramfs-$key.cpio
  [ -f "$INITRD" ] && return
  root=$WORK/initramfs-root
  rm -rf "$root" "$WORK"/initramfs-*.cpio; mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc/init.d,lib/lsb}
  install -m755 /bin/busybox "$root/bin/busybox"
  # bash, GNU stat/date/timeout and util-linux mount/flock: the o2cb init script and
  # mount.ocfs2 need them, and busybox's versions differ (REPORT.md pitfalls 2-3).
  local tools=(/bin/bash /usr/bin/stat /bin/date /usr/bin/timeout /bin/mount /bin/umount /usr/bin/flock /usr/bin/getent)
  local f
  for f in "${tools[@]}"; do install -D -m755 "$f" "$root/usr/local/bin/$(basename "$f")"; done
  ln -sf /usr/local/bin/bash "$root/bin/bash"
  local o2=(/sbin/mount.ocfs2 /sbin/mkfs.ocfs2 /sbin/debugfs.ocfs2 /sbin/mounted.ocfs2 /sbin/o2cb /sbin/o2cb_ctl /sbin/ocfs2_hb_ctl /sbin/tunefs.ocfs2 /sbin/fsck.ocfs2)
  for f in "${o2[@]}"; do [ -e "$f" ] && install -D -m755 "$f" "$root$f"; done
  install -m755 /etc/init.d/o2cb "$root/etc/init.d/o2cb"
  install -m644 /lib/lsb/init-functions "$root/lib/lsb/init-functions"
  install -D -m755 "$O2CHECK_BIN" "$root/usr/bin/o2check"
  strip --strip-debug "$root/usr/bin/o2check" 2>/dev/null || true
  copy_with_libs "$root" "${tools[@]}" "${o2[@]}" "$O2CHECK_BIN"
  local mods="virtio_pci virtio_blk virtio_net configfs ocfs2_nodemanager ocfs2_dlm ocfs2_dlmfs ocfs2_stackglue ocfs2_stack_o2cb ocfs2"
  for m in $mods; do modprobe -d "$KROOT" -S "$KV" --show-depends "$m"; done |
    awk '$1=="insmod"{print $2}' | sort -u | while read -r f; do install -D -m644 "$f" "$root${f#"$KROOT"}"; done
  cp "$KROOT/lib/modules/$KV"/modules.{order,builtin,builtin.modinfo} "$root/lib/modules/$KV/" 2>/dev/null || true
  depmod -b "$root" "$KV"
  install -m755 "$LAB_SRC/guest-init.sh" "$root/init"
  (cd "$root" && find . | cpio -o -H newc --quiet >"$INITRD")
}

prepare() {
  local t; t=$(now)
  host_packages; fetch_kernel; build_initramfs
  log "prepared in $(elapsed "$t") s (kernel $(cat "$WORK/kernel-used.txt"))"
}

make_disk() { # IMAGE CLUSTER-NAME
  rm -f "$1"; truncate -s 512M "$1"
  mkfs.ocfs2 -F -q -N 4 -b 4K -C 4K -J size=8M -L o2lab --cluster-stack=o2cb --cluster-name="$2" "$1" >"$RUN/mkfs.log" 2>&1
}

start_vm() { # N HOSTNAME IP [extra kernel args]
  local n=$1 host=$2 ip=$3 extra=${4:-} net disk2=()
  if [ "$n" = 1 ]; then net="listen=127.0.0.1:$NETPORT"; else net="connect=127.0.0.1:$NETPORT"; fi
  [ -f "$RUN/other.img" ] && [ "$n" = 2 ] && disk2=(-drive "file=$RUN/other.img,format=raw,if=virtio,cache=writeback")
  rm -f "$RUN/node$n-ctl.sock" "$RUN/node$n-mon.sock"
  setsid qemu-system-x86_64 -accel tcg,thread=multi -machine q35 -cpu max -smp 1 -m 512 \
    -kernel "$VMLINUZ" -initrd "$INITRD" \
    -append "console=ttyS0 rdinit=/init panic=-1 quiet o2.host=$host o2.ip=$ip o2.n1=$N1 o2.n1ip=$N1IP o2.n2=$N2 o2.n2ip=$N2IP o2.cluster=$CLUSTER o2.port=$PORT $TIMEOUTS $extra" \
    -drive "file=$RUN/shared.img,format=raw,if=none,id=d0,cache=writeback,aio=threads,file.locking=off" \
    -device virtio-blk-pci,drive=d0,share-rw=on "${disk2[@]}" \
    -netdev "socket,id=n0,$net" -device virtio-net-pci,netdev=n0,mac=52:54:00:77:00:0"$n" \
    -display none -no-reboot -serial "file:$RUN/node$n-console.log" \
    -chardev "socket,id=ctl,path=$RUN/node$n-ctl.sock,server=on,wait=off" -serial chardev:ctl \
    -monitor "unix:$RUN/node$n-mon.sock,server=on,wait=off" >"$RUN/node$n-qemu.log" 2>&1 </dev/null &
  echo $! >"$RUN/node$n.pid"
  if [ "$n" = 1 ]; then # node 2's netdev connects to node 1's listener
    for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$NETPORT") 2>/dev/null && break; sleep 0.1; done
  fi
}

stop_vm() { # N
  local f=$RUN/node$1.pid
  [ -f "$f" ] || return 0
  kill "$(cat "$f")" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$(cat "$f")" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$(cat "$f")" 2>/dev/null || true
  rm -f "$f"
}

vm() { # N [--timeout S] SCRIPT
  local n=$1; shift
  python3 "$LAB_SRC/agent.py" "$RUN/node$n-ctl.sock" "$@"
}

mon() { # N COMMAND  (qemu monitor)
  python3 - "$RUN/node$1-mon.sock" "$2" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); time.sleep(0.3); s.recv(4096)
s.sendall((sys.argv[2] + "\n").encode()); time.sleep(0.5)
PY
}

online_and_mount() { # N
  vm "$1" --timeout 240 '/etc/init.d/o2cb online >/tmp/online.log 2>&1; mount -t ocfs2 -o _netdev /dev/vda /mnt/ocfs2'
}

# A mount that may fail or hang runs in the background in the guest, so a hung
# mount cannot wedge the agent; prints its output and "mount rc=N".
try_mount() { # N DEVICE SECONDS
  vm "$1" --timeout $(($3 + 30)) "
rm -f /tmp/mount.out
( mount -t ocfs2 $2 /mnt/ocfs2; echo \"mount rc=\$?\" ) >/tmp/mount.out 2>&1 &
for _ in \$(seq $3); do grep -q '^mount rc=' /tmp/mount.out && break; sleep 1; done
cat /tmp/mount.out"
}

boot_node() { # N [extra]
  local host=$N1 ip=$N1IP
  [ "$1" = 2 ] && host=$N2 ip=$N2IP
  start_vm "$1" "${3:-$host}" "$ip" "${2:-}"
  vm "$1" --timeout 300 --wait 'true'
}

up() {
  local t; t=$(now)
  down
  make_disk "$RUN/shared.img" "$CLUSTER"
  start_vm 1 "$N1" "$N1IP"; start_vm 2 "$N2" "$N2IP"
  vm 1 --timeout 300 --wait true; vm 2 --timeout 300 --wait true
  log "both nodes booted in $(elapsed "$t") s"
  online_and_mount 1 & local p1=$!
  online_and_mount 2 & local p2=$!
  wait "$p1" && wait "$p2" || { log "mount failed"; vm 1 'dmesg | tail -20' || true; exit 1; }
  log "both nodes mounted $(elapsed "$t") s after start"
}

status() {
  local n
  for n in 1 2; do
    if [ -f "$RUN/node$n.pid" ] && kill -0 "$(cat "$RUN/node$n.pid")" 2>/dev/null; then
      echo "node$n: running; $(vm "$n" --timeout 20 'echo "$(uname -n): $(grep -c " ocfs2 " /proc/mounts) ocfs2 mount(s)"' 2>/dev/null || echo 'agent not answering')"
    else
      echo "node$n: stopped"
    fi
  done
}

node_exec() { # NODE CMD...
  local n=$1; shift
  vm "$n" --timeout 600 "$*"
}

# `o2check collect` in the node, carried out as base64 over the agent.
bundle_out() { # NODE DIR
  mkdir -p "$2"
  vm "$1" --timeout 300 'rm -rf /tmp/b; o2check collect --out /tmp/b >/dev/null 2>&1; tar -C /tmp/b -czf - . | base64 -w0; echo' |
    tr -d '\n' | base64 -d | tar -xzf - -C "$2"
}

down() {
  stop_vm 2; stop_vm 1
}
