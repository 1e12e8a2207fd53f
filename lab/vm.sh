# shellcheck shell=bash
# The running lab: shared disk, hub, VMs, the serial agent, up/down/status.

make_disk() { # IMAGE CLUSTER-NAME
  rm -f "$1"; truncate -s 512M "$1"
  mkfs.ocfs2 -F -q -N 4 -b 4K -C 4K -J size=8M -L o2lab --cluster-stack=o2cb --cluster-name="$2" "$1" >"$RUN/mkfs.log" 2>&1
}

# The interconnect: every VM's eth0 is a socket netdev connected to hub.py on
# 127.0.0.1:$NETPORT, which floods frames to the other VMs (any number of nodes;
# a point-to-point socket netdev joins only two). qemu's connect= fails if
# nobody listens, so the hub must be up first.
start_hub() {
  stop_hub
  need_free_port "$NETPORT" "interconnect hub" O2LAB_NETPORT
  setsid python3 "$LAB_SRC/hub.py" "$NETPORT" >"$RUN/hub.log" 2>&1 </dev/null &
  echo $! >"$RUN/hub.pid"
  local _
  for _ in $(seq 50); do grep -q listening "$RUN/hub.log" 2>/dev/null && return; sleep 0.1; done
  die "the hub did not start: $(cat "$RUN/hub.log")"
}

stop_pidfile() { # FILE : TERM, up to 5 s, then KILL the process it names
  local f=$1 pid _
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$f"
}

stop_hub() { stop_pidfile "$RUN/hub.pid"; }
stop_vm() { stop_pidfile "$RUN/node$1.pid"; }

# hp0 is an empty PCIe slot: disk-cluster-name plugs a second disk into it.
# eth0 (mac 52:54:00:77:00:0N): the interconnect, 10.77.0.x, on the hub.
# eth1 (mac 52:54:00:22:00:0N): qemu user-mode with restrict=on, used only for
# the ssh forward from 127.0.0.1:(SSH_BASE + N); the guest reaches nothing.
start_vm() { # N HOSTNAME [extra kernel args]
  local n=$1 host=$2 extra=${3:-} sshp disk fwd=
  sshp=$(ssh_port "$n")
  # Raw: the shared image is the guests' vda. iSCSI: no shared virtio disk, the
  # portals are forwarded on the user-mode NIC (storage.sh).
  disk=(-drive "file=$RUN/shared.img,format=raw,if=none,id=d0,cache=writeback,aio=threads,file.locking=off" -device "virtio-blk-pci,drive=d0,share-rw=on")
  if [ "$STORAGE" = iscsi ]; then
    disk=()
    fwd=",$(portal_forwards)"
    # loglevel=7: every kernel line on the console file, the fenced node's last.
    extra="loglevel=7 o2.storage=iscsi o2.wwid1=$(lun_wwid "$LUN1_SCSI_ID") o2.wwid2=$(lun_wwid "$LUN2_SCSI_ID") o2.nopath=$NOPATH $extra"
  fi
  need_free_port "$sshp" "ssh forward of node $n" O2LAB_SSH_PORT_BASE
  rm -f "$RUN/node$n-ctl.sock" "$RUN/node$n-mon.sock"
  setsid qemu-system-x86_64 -accel tcg,thread=multi -machine q35 -cpu max -smp 1 -m 512 \
    -kernel "$VMLINUZ" -initrd "$INITRD" \
    -append "console=ttyS0 rdinit=/init panic=-1 quiet o2.host=$host o2.ip=$(node_ip "$n") o2.nodes=$(node_list) o2.cluster=$CLUSTER o2.port=$PORT $TIMEOUTS $extra" \
    "${disk[@]}" -device pcie-root-port,id=hp0,chassis=1 \
    -netdev "socket,id=n0,connect=127.0.0.1:$NETPORT" -device virtio-net-pci,netdev=n0,mac=52:54:00:77:00:0"$n" \
    -netdev "user,id=m0,restrict=on,ipv6=off,hostfwd=tcp:127.0.0.1:$sshp-$SSH_GUEST_IP:22$fwd" \
    -device virtio-net-pci,netdev=m0,mac=52:54:00:22:00:0"$n" \
    -display none -no-reboot -serial "file:$RUN/node$n-console.log" \
    -chardev "socket,id=ctl,path=$RUN/node$n-ctl.sock,server=on,wait=off" -serial chardev:ctl \
    -monitor "unix:$RUN/node$n-mon.sock,server=on,wait=off" >"$RUN/node$n-qemu.log" 2>&1 </dev/null &
  echo $! >"$RUN/node$n.pid"
}

vm_running() { # N
  [ -f "$RUN/node$1.pid" ] && kill -0 "$(cat "$RUN/node$1.pid")" 2>/dev/null
}

# A stopped VM fails at once (125, as agent.py's "unreachable") instead of the
# agent waiting out its timeout for a socket nobody serves.
vm() { # N [--timeout S] SCRIPT
  local n=$1; shift
  vm_running "$n" || { log "node$n is not running"; return 125; }
  python3 "$LAB_SRC/agent.py" "$RUN/node$n-ctl.sock" "$@"
}

# One HMP command; done when the monitor prompts again (the command has run).
mon() { # N COMMAND  (qemu monitor)
  python3 - "$RUN/node$1-mon.sock" "$2" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(10); s.connect(sys.argv[1])
def prompt():
    buf = b""
    while not buf.endswith(b"(qemu) "):
        chunk = s.recv(4096)
        if not chunk:
            break
        buf += chunk
    return buf
prompt()
s.sendall((sys.argv[2] + "\n").encode())
out = prompt().decode(errors="replace").replace("\r", "")
# HMP echoes the command line; print only what it answered.
print("\n".join(l for l in out.split("\n")[1:] if not l.startswith("(qemu)")).strip(), end="")
PY
}

# The device OCFS2 is on in the guests.
shared_dev() { if [ "$STORAGE" = iscsi ]; then echo "/dev/mapper/$MPATH_ALIAS"; else echo /dev/vda; fi; }

online_and_mount() { # N
  vm "$1" --timeout 240 "/etc/init.d/o2cb online >/tmp/online.log 2>&1; mount -t ocfs2 -o _netdev $(shared_dev) /mnt/ocfs2"
}

# A mount that may fail or hang runs in the background in the guest, so a hung
# mount cannot wedge the agent; prints its output and "mount rc=N".
try_mount() { # N DEVICE SECONDS [MOUNTPOINT, default /mnt/ocfs2]
  vm "$1" --timeout $(($3 + 30)) "
rm -f /tmp/mount.out
( mount -t ocfs2 $2 ${4:-/mnt/ocfs2}; echo \"mount rc=\$?\" ) >/tmp/mount.out 2>&1 &
for _ in \$(seq $3); do grep -q '^mount rc=' /tmp/mount.out && break; sleep 1; done
cat /tmp/mount.out"
}

boot_node() { # N [extra kernel args] [hostname]
  start_vm "$1" "${3:-$(node_name "$1")}" "${2:-}"
  vm "$1" --timeout 300 --wait 'true'
  if [ "$STORAGE" = iscsi ]; then storage_login "$1" >/dev/null; fi
}

up() {
  local t n p pids=() ok=1; t=$(now)
  down
  check_nodes
  # Every port before anything starts, so a taken one leaves nothing running.
  need_free_port "$NETPORT" "interconnect hub" O2LAB_NETPORT
  for n in $(seq "$NODES"); do need_free_port "$(ssh_port "$n")" "ssh forward of node $n" O2LAB_SSH_PORT_BASE; done
  printf 'NODES=%s\nSSH_BASE=%s\nNETPORT=%s\nSTORAGE=%s\nNOPATH=%s\n' "$NODES" "$SSH_BASE" "$NETPORT" "$STORAGE" "$NOPATH" >"$RUN/lab.env"
  write_ssh_config
  if [ "$STORAGE" = iscsi ]; then
    make_disk "$RUN/lun1.img" "$CLUSTER"
    rm -f "$RUN/lun2.img"; truncate -s 16M "$RUN/lun2.img"
    start_target "$RUN/lun1.img" "$RUN/lun2.img"
  else
    make_disk "$RUN/shared.img" "$CLUSTER"
  fi
  start_hub
  for n in $(seq "$NODES"); do start_vm "$n" "$(node_name "$n")"; done
  for n in $(seq "$NODES"); do vm "$n" --timeout 300 --wait true; done
  elapsed "$t" >"$RUN/boot-seconds"
  log "$NODES nodes booted in $(cat "$RUN/boot-seconds") s"
  if [ "$STORAGE" = iscsi ]; then
    for n in $(seq "$NODES"); do storage_login "$n" >"$RUN/login-node$n" & pids+=($!); done
    for p in "${pids[@]}"; do wait "$p" || ok=0; done
    pids=()
    [ "$ok" = 1 ] || die "iSCSI login or multipath failed: $(cat "$RUN"/login-node*)"
    log "$NODES nodes on /dev/mapper/$MPATH_ALIAS $(elapsed "$t") s after start ($(tr '\n' ' ' <"$RUN/login-node1"))"
  fi
  for n in $(seq "$NODES"); do online_and_mount "$n" & pids+=($!); done
  for p in "${pids[@]}"; do wait "$p" || ok=0; done
  [ "$ok" = 1 ] || { log "mount failed"; vm 1 'dmesg | tail -20' || true; exit 1; }
  log "$NODES nodes mounted $(elapsed "$t") s after start; ssh: $SSH_CONFIG"
}

# The node count and ports the running lab was started with (up records them),
# for the commands that work on it: status, exec, fault, ssh-config.
use_running_lab() {
  local k v
  [ -f "$RUN/lab.env" ] || return 0
  while IFS='=' read -r k v; do
    case "$k" in NODES|SSH_BASE|NETPORT|STORAGE|NOPATH) [ -n "$v" ] && printf -v "$k" '%s' "$v" ;; esac
  done <"$RUN/lab.env"
}

status() {
  local n
  for n in $(seq "$NODES"); do
    if vm_running "$n"; then
      # shellcheck disable=SC2016 # the guest expands it
      echo "node$n: running; $(vm "$n" --timeout 20 'echo "$(uname -n): $(grep -c " ocfs2 " /proc/mounts) ocfs2 mount(s)"' 2>/dev/null || echo 'agent not answering'); ssh port $(ssh_port "$n")"
    else
      echo "node$n: stopped"
    fi
  done
  if [ -f "$RUN/hub.pid" ] && kill -0 "$(cat "$RUN/hub.pid")" 2>/dev/null; then echo "hub: running on 127.0.0.1:$NETPORT"; else echo "hub: stopped"; fi
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

# Every VM with a pid file (whatever node count started them), then the hub.
down() {
  local f
  for f in "$RUN"/node*.pid; do
    [ -e "$f" ] && stop_pidfile "$f"
  done
  stop_hub
  stop_target
}
