#!/usr/bin/env python3
"""Host side of the lab's serial agent: run a bash script in a guest.

usage: agent.py SOCKET [--timeout SECS] [--wait] SCRIPT

The guest's /init reads lines `ID BASE64(script)` on ttyS1, runs the script with
bash and answers with its output and a line `@@DONE ID RC`. Exits with the
script's status, 124 on timeout, 125 when the guest cannot be reached.
"""
import base64
import secrets
import socket
import sys
import time


def connect(path, deadline):
    while True:
        try:
            s = socket.socket(socket.AF_UNIX)
            s.connect(path)
            return s
        except OSError:
            if time.time() > deadline:
                sys.exit(125)
            time.sleep(0.2)


def run(sock, script, timeout):
    """Send one script; return (rc or None on timeout, output lines)."""
    token = secrets.token_hex(6)
    payload = base64.b64encode(script.encode()).decode()
    sock.sendall(f"{token} {payload}\n".encode())
    sock.settimeout(0.5)
    end = time.time() + timeout
    buf, out = b"", []
    while time.time() < end:
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            continue
        if not chunk:
            break
        buf += chunk
        while b"\n" in buf:
            raw, buf = buf.split(b"\n", 1)
            line = raw.decode("utf-8", "replace").rstrip("\r")
            # Output that does not end in a newline has the marker on its last line.
            done = line.find(f"@@DONE {token} ")
            if done >= 0:
                if line[:done]:
                    out.append(line[:done])
                return int(line[done:].split()[2]), out
            if not line.startswith("@@"):
                out.append(line)
    return None, out


def main():
    args = sys.argv[1:]
    path = args.pop(0)
    timeout, wait = 300.0, False
    while args and args[0].startswith("--"):
        flag = args.pop(0)
        if flag == "--timeout":
            timeout = float(args.pop(0))
        elif flag == "--wait":
            wait = True
    script = args[0] if args else "true"
    deadline = time.time() + timeout
    sock = connect(path, deadline)
    if wait:  # the guest may still be booting: poll with a no-op
        while run(sock, "true", 1.5)[0] != 0:
            if time.time() > deadline:
                sys.exit(125)
    rc, out = run(sock, script, max(1.0, deadline - time.time()))
    sys.stdout.write("".join(l + "\n" for l in out))
    sys.exit(124 if rc is None else rc)


if __name__ == "__main__":
    main()
