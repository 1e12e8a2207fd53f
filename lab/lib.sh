# shellcheck shell=bash
# Small helpers every lab file uses: logging, timing, node names, loopback ports.

# Logging as tests/netns/cluster does it: one "[o2lab HH:MM:SS] ..." line to
# stderr; die stops with status 1, skip with 77 (automake's "skipped", which
# the netns cluster also uses) when the machine cannot run the lab at all.
log() { printf '[o2lab %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "$*"; exit 1; }
skip() { log "skipped: $*"; exit 77; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}'; }

# Node i (1-based) is n(149+i).ocfs2.test at 10.77.0.(149+i): node1 = n150, the
# names the fixtures and the reference lab use.
node_name() { echo "n$((149 + $1)).ocfs2.test"; }
node_ip() { echo "10.77.0.$((149 + $1))"; }
# The o2check --nodes pattern for all nodes, e.g. n[150-151].ocfs2.test.
node_pattern() { echo "n[150-$((149 + NODES))].ocfs2.test"; }
# name@ip,name@ip,... for the guests' kernel command line (o2.nodes).
node_list() {
  local i out=
  for i in $(seq "$NODES"); do out+="${out:+,}$(node_name "$i")@$(node_ip "$i")"; done
  echo "$out"
}

# O2LAB_NODES, default 2: cluster.conf, the hub and the disk's 4 slots allow 4.
check_nodes() {
  case "$NODES" in
    2|3|4) ;;
    *) log "O2LAB_NODES must be 2, 3 or 4 (got '$NODES')"; exit 2 ;;
  esac
}

# True when nothing listens on 127.0.0.1:PORT: a bind test with SO_REUSEADDR, as
# qemu's hostfwd and the hub bind, so that connections of a VM stopped a moment
# ago (TIME_WAIT) do not count and a listener of anyone else does.
port_free() {
  python3 -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))' "$1" 2>/dev/null
}

# The host's o2check (cluster mode, scenarios and `why --reboot` run it from the
# host; the guests get the .deb, prepare.sh).
need_host_o2check() {
  [ -x "$O2CHECK_BIN" ] || die "build o2check first: cargo build --release ($O2CHECK_BIN)"
}

need_free_port() { # PORT WHAT ENV
  port_free "$1" && return
  die "127.0.0.1:$1 ($2) is in use; pick another base with $3"
}
