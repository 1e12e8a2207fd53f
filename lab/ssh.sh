# shellcheck shell=bash
# ssh from the host into the guests, for o2check's cluster mode and for people.
# Each VM's second NIC is qemu user-mode networking with restrict=on (the guest
# can reach nothing) and one forward, 127.0.0.1:(SSH_BASE + node) -> guest :22.
# The keys are the lab's own, made once in $WORK/ssh; nothing in ~/.ssh is used.

SSH_DIR=$WORK/ssh
SSH_CONFIG=$WORK/ssh_config
SSH_BASE=${O2LAB_SSH_PORT_BASE:-2250}
# The user-mode NIC's fixed address (slirp's default guest address, no DHCP).
SSH_GUEST_IP=10.0.2.15

ssh_port() { echo $((SSH_BASE + $1)); }

# One host key for every node (they are interchangeable lab machines, and a fixed
# key keeps known_hosts valid across reboots) and the client key root accepts.
ssh_keys() {
  mkdir -p "$SSH_DIR"; chmod 700 "$SSH_DIR"
  [ -f "$SSH_DIR/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C o2lab-client -f "$SSH_DIR/id_ed25519"
  [ -f "$SSH_DIR/ssh_host_ed25519_key" ] || ssh-keygen -q -t ed25519 -N '' -C o2lab-host -f "$SSH_DIR/ssh_host_ed25519_key"
}

# sshd and sftp-server from the host when openssh-server is installed, else
# extracted from the packages into $WORK/openssh: installing them would start an
# ssh service on the host, which the lab must not do.
# Sets SSHD_BIN and SFTP_BIN.
sshd_binaries() {
  local from=$WORK/openssh p
  SSHD_BIN=/usr/sbin/sshd SFTP_BIN=/usr/lib/openssh/sftp-server
  [ -x "$SSHD_BIN" ] && [ -x "$SFTP_BIN" ] && return
  if [ ! -x "$from/usr/sbin/sshd" ]; then
    log "extracting sshd from openssh-server (not installed on the host)"
    mkdir -p "$WORK/debs" "$from"
    (cd "$WORK/debs" && chown _apt . 2>/dev/null; apt-get download openssh-server openssh-sftp-server >>"$WORK/apt-download.log" 2>&1)
    for p in "$WORK"/debs/openssh-server_*.deb "$WORK"/debs/openssh-sftp-server_*.deb; do dpkg-deb -x "$p" "$from"; done
  fi
  SSHD_BIN=$from/usr/sbin/sshd SFTP_BIN=$from/usr/lib/openssh/sftp-server
}

# sshd in the initramfs: root by key only, no PAM (the initramfs has no PAM
# stack), listening on the user-mode NIC only, not on the interconnect.
add_sshd() { # ROOT
  local root=$1 sftp=/usr/lib/openssh/sftp-server
  sshd_binaries
  install -D -m755 "$SSHD_BIN" "$root/usr/sbin/sshd"
  install -D -m755 "$SFTP_BIN" "$root$sftp"
  copy_with_libs "$root" "$SSHD_BIN" "$SFTP_BIN"
  install -D -m600 "$SSH_DIR/ssh_host_ed25519_key" "$root/etc/ssh/ssh_host_ed25519_key"
  install -m700 -d "$root/root/.ssh"
  chmod 700 "$root/root"
  install -m600 "$SSH_DIR/id_ed25519.pub" "$root/root/.ssh/authorized_keys"
  cat >"$root/etc/ssh/sshd_config" <<EOF
ListenAddress $SSH_GUEST_IP
HostKey /etc/ssh/ssh_host_ed25519_key
PermitRootLogin prohibit-password
PubkeyAuthentication yes
AuthorizedKeysFile .ssh/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
UseDNS no
PrintMotd no
PrintLastLog no
PidFile /run/sshd.pid
Subsystem sftp $sftp
EOF
  # root's shell runs the remote commands; sshd (privilege separation) runs as
  # the unprivileged "sshd" in /run/sshd. "*" in shadow: no password, not locked.
  printf 'root:x:0:0:root:/root:/bin/bash\nsshd:x:101:65534::/run/sshd:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
  printf 'root:*:19000:0:99999:7:::\nsshd:*:19000:0:99999:7:::\nnobody:*:19000:0:99999:7:::\n' >"$root/etc/shadow"
  chmod 640 "$root/etc/shadow"
}

# $WORK/ssh_config: one Host block per node, named as in cluster.conf, so
# `ssh -F "$SSH_CONFIG" n150.ocfs2.test` and `o2check --ssh-config` just work.
# known_hosts is written too, from the lab's host key.
write_ssh_config() {
  local i name key
  key=$(cut -d' ' -f1,2 "$SSH_DIR/ssh_host_ed25519_key.pub")
  : >"$SSH_DIR/known_hosts"
  {
    echo "# o2lab: the lab's nodes over ssh (written by lab/o2lab; 127.0.0.1 only)"
    for i in $(seq "$NODES"); do
      name=$(node_name "$i")
      echo "$name $key" >>"$SSH_DIR/known_hosts"
      cat <<EOF

Host $name
  HostName 127.0.0.1
  Port $(ssh_port "$i")
  User root
  IdentityFile "$SSH_DIR/id_ed25519"
  IdentitiesOnly yes
  HostKeyAlias $name
  UserKnownHostsFile "$SSH_DIR/known_hosts"
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking accept-new
  BatchMode yes
  ConnectTimeout 10
  ServerAliveInterval 10
  ServerAliveCountMax 6
  LogLevel ERROR
EOF
    done
  } >"$SSH_CONFIG"
}

node_ssh() { # N CMD...
  local n=$1; shift
  ssh -F "$SSH_CONFIG" "$(node_name "$n")" "$@"
}

# sshd starts before the agent answers, so this normally succeeds at once.
wait_ssh() { # N
  local _
  for _ in $(seq 20); do node_ssh "$1" true 2>/dev/null && return; sleep 1; done
  return 1
}
