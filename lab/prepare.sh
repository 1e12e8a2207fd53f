# shellcheck shell=bash
# Preparing the guests: host packages, the pinned kernel, the initramfs (cached).

host_packages() {
  local need=() p
  [ "$(id -u)" -eq 0 ] || skip "needs root (apt-get for the host packages, qemu's monitor sockets in $RUN)"
  # openssh-client: the host's ssh, and most of sshd's libraries (libwrap0 is the
  # rest; sshd itself, see sshd_binary); iptables: the guests' iptables-legacy
  # (port-blocked); libxml2-utils: xmllint for the JUnit files; tgt, open-iscsi,
  # multipath-tools, socat: the iSCSI storage stack (storage.sh); procps: the ps
  # the guests run for collect's process list (storage.sh).
  for p in qemu-system-x86 busybox-static cpio kmod ocfs2-tools python3 openssh-client libwrap0 iptables libxml2-utils tgt open-iscsi multipath-tools socat procps; do
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

# Only vmlinuz and the module directories the lab needs are extracted from the
# kernel deb (a few MB instead of 430). Netfilter is there for port-blocked;
# SCSI (iscsi_tcp, sd_mod) and md (dm-multipath) for the iSCSI storage stack.
KERNEL_PATHS=('./boot/vmlinuz-*' './lib/modules/*/modules.*'
  './lib/modules/*/kernel/fs/ocfs2' './lib/modules/*/kernel/fs/configfs' './lib/modules/*/kernel/fs/jbd2'
  './lib/modules/*/kernel/fs/quota' './lib/modules/*/kernel/drivers/virtio' './lib/modules/*/kernel/drivers/block/virtio_blk.ko'
  './lib/modules/*/kernel/drivers/net' './lib/modules/*/kernel/net/core' './lib/modules/*/kernel/lib' './lib/modules/*/kernel/crypto'
  './lib/modules/*/kernel/net/netfilter' './lib/modules/*/kernel/net/ipv4/netfilter'
  './lib/modules/*/kernel/drivers/scsi' './lib/modules/*/kernel/drivers/md' './lib/modules/*/kernel/block')

fetch_kernel() {
  KPKG=$(kernel_package)
  [ -n "$KPKG" ] || die "cannot resolve a kernel package"
  mkdir -p "$WORK/debs"
  if ! ls "$WORK/debs/${KPKG}"_*.deb >/dev/null 2>&1; then
    log "downloading $KPKG"
    (cd "$WORK/debs" && chown _apt . 2>/dev/null; apt-get download "$KPKG" >"$WORK/apt-download.log" 2>&1)
  fi
  KROOT=$WORK/kernel-$KPKG
  # .done records the path list, so a list that grew re-extracts an old cache.
  if [ "$(cat "$KROOT/.done" 2>/dev/null)" != "${KERNEL_PATHS[*]}" ]; then
    rm -rf "$KROOT"; mkdir -p "$KROOT"
    dpkg-deb --fsys-tarfile "$WORK/debs/${KPKG}"_*.deb |
      tar -x -C "$KROOT" --wildcards "${KERNEL_PATHS[@]}" 2>/dev/null || true
    KV=$(ls "$KROOT/lib/modules")
    depmod -b "$KROOT" "$KV"
    echo "${KERNEL_PATHS[*]}" >"$KROOT/.done"
  fi
  KV=$(ls "$KROOT/lib/modules")
  # shellcheck disable=SC2034 # start_vm (vm.sh) boots it
  VMLINUZ=$(ls "$KROOT"/boot/vmlinuz-*)
  echo "$KPKG" >"$WORK/kernel-used.txt"
}

copy_with_libs() { # DEST FILE... : the files' shared libraries (ldd), loader included
  local dest=$1; shift
  for f in "$@"; do ldd "$f" 2>/dev/null | awk '/=>/ && $3 ~ /^\//{print $3} /^[ \t]*\/lib64\//{print $1}'; done |
    sort -u | while read -r l; do install -D -m755 "$(readlink -f "$l")" "$dest$l"; done
}

# iptables-legacy (the kernel's x_tables, no nftables userspace needed) with the
# extensions a port rule uses; iptables and iptables-save on PATH, as o2check
# runs `iptables-save`.
add_iptables() { # ROOT
  local root=$1 xt=/usr/lib/x86_64-linux-gnu/xtables e exts=()
  install -D -m755 /usr/sbin/xtables-legacy-multi "$root/usr/sbin/xtables-legacy-multi"
  for e in iptables iptables-save iptables-restore iptables-legacy iptables-legacy-save iptables-legacy-restore; do
    ln -sf xtables-legacy-multi "$root/usr/sbin/$e"
  done
  for e in libxt_standard libxt_tcp libxt_udp libxt_multiport libxt_comment libipt_icmp; do
    install -D -m644 "$xt/$e.so" "$root$xt/$e.so"; exts+=("$xt/$e.so")
  done
  copy_with_libs "$root" /usr/sbin/xtables-legacy-multi "${exts[@]}"
}

# o2check's .deb (scripts/package: the portable static build, man pages, units):
# the guests get o2check the way a customer's Debian node does.
o2check_deb() {
  local debs=("$REPO"/target/packages/o2check_*_amd64.deb) deb
  deb=${debs[0]}
  [ -f "$deb" ] || die "build o2check's package first: bash scripts/package (target/packages/o2check_*.deb)"
  [ "$deb" -nt "$REPO/target/x86_64-unknown-linux-musl/release/o2check" ] ||
    log "WARNING: $deb is older than the portable build; bash scripts/package rebuilds it"
  echo "$deb"
}

# dpkg installs the .deb into the guests' root (--root: the host's dpkg, the
# node's own database in $root/var/lib/dpkg), so the node has a real package
# record; dpkg and dpkg-query themselves go in too, so `dpkg -s` / `dpkg -V` in a
# node show and verify what is installed. The package has no maintainer scripts
# (cargo-deb writes none for it), so nothing needs to run inside the root.
install_deb() { # ROOT DEB
  mkdir -p "$1/var/lib/dpkg/info" "$1/var/lib/dpkg/updates" "$1/var/lib/dpkg/triggers"
  touch "$1/var/lib/dpkg/status" "$1/var/lib/dpkg/available"
  dpkg --root="$1" --force-not-root -i "$2" >"$WORK/dpkg-install.log" 2>&1 ||
    die "dpkg -i $2 into the initramfs failed: $(tail -3 "$WORK/dpkg-install.log")"
  install -D -m755 /usr/bin/dpkg "$1/usr/bin/dpkg"
  install -D -m755 /usr/bin/dpkg-query "$1/usr/bin/dpkg-query"
  copy_with_libs "$1" /usr/bin/dpkg /usr/bin/dpkg-query
}

build_initramfs() {
  local deb key root
  deb=$(o2check_deb)
  # The key holds the package the guests get (its bytes, hence the binary in it).
  key=$(cat "$LAB_SRC/guest-init.sh" "$LAB_SRC/prepare.sh" "$LAB_SRC/ssh.sh" "$LAB_SRC/storage.sh" "$deb" "$WORK/kernel-used.txt" \
    "$SSH_DIR/id_ed25519.pub" "$SSH_DIR/ssh_host_ed25519_key.pub" | sha256sum | cut -c1-16)
  INITRD=$WORK/initramfs-$key.cpio
  [ -f "$INITRD" ] && return
  root=$WORK/initramfs-root
  rm -rf "$root" "$WORK"/initramfs-*.cpio; mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc/init.d,lib/lsb}
  install -m755 /bin/busybox "$root/bin/busybox"
  # bash, GNU stat/date/timeout and util-linux mount/flock: the o2cb init script and
  # mount.ocfs2 need them, and busybox's versions differ (found when the reference lab was first booted).
  local tools=(/bin/bash /usr/bin/stat /bin/date /usr/bin/timeout /bin/mount /bin/umount /usr/bin/flock /usr/bin/getent)
  local f
  for f in "${tools[@]}"; do install -D -m755 "$f" "$root/usr/local/bin/$(basename "$f")"; done
  ln -sf /usr/local/bin/bash "$root/bin/bash"
  local o2=(/sbin/mount.ocfs2 /sbin/mkfs.ocfs2 /sbin/debugfs.ocfs2 /sbin/mounted.ocfs2 /sbin/o2cb /sbin/o2cb_ctl /sbin/ocfs2_hb_ctl /sbin/tunefs.ocfs2 /sbin/fsck.ocfs2)
  for f in "${o2[@]}"; do [ -e "$f" ] && install -D -m755 "$f" "$root$f"; done
  install -m755 /etc/init.d/o2cb "$root/etc/init.d/o2cb"
  install -m644 /lib/lsb/init-functions "$root/lib/lsb/init-functions"
  install_deb "$root" "$deb"
  copy_with_libs "$root" "${tools[@]}" "${o2[@]}"
  add_iptables "$root"
  add_sshd "$root"
  add_storage "$root"
  local mods="virtio_pci virtio_blk virtio_net configfs ocfs2_nodemanager ocfs2_dlm ocfs2_dlmfs ocfs2_stackglue ocfs2_stack_o2cb ocfs2 iptable_filter xt_tcpudp xt_multiport xt_comment iscsi_tcp sd_mod sg dm_multipath dm_round_robin dm_service_time dm_queue_length"
  for m in $mods; do modprobe -d "$KROOT" -S "$KV" --show-depends "$m"; done |
    awk '$1=="insmod"{print $2}' | sort -u | while read -r f; do install -D -m644 "$f" "$root${f#"$KROOT"}"; done
  cp "$KROOT/lib/modules/$KV"/modules.{order,builtin,builtin.modinfo} "$root/lib/modules/$KV/" 2>/dev/null || true
  depmod -b "$root" "$KV"
  install -m755 "$LAB_SRC/guest-init.sh" "$root/init"
  (cd "$root" && find . | cpio -o -H newc --quiet >"$INITRD")
}

prepare() {
  local t; t=$(now)
  host_packages; fetch_kernel; ssh_keys; build_initramfs
  log "prepared in $(elapsed "$t") s (kernel $(cat "$WORK/kernel-used.txt"))"
}
