#!/usr/bin/env python3
"""The lab's Ethernet hub: relays every frame from one VM to all the others.

usage: hub.py PORT

Every VM's cluster NIC is a qemu `-netdev socket,connect=127.0.0.1:PORT`, which
speaks qemu's stream framing: a 4-byte big-endian length, then the frame. A
point-to-point socket netdev joins only two VMs; this hub lets any number of them
share one segment, on loopback only, without touching the host's network config.
A hub (flooding) rather than a switch: with at most four nodes the extra copies
cost nothing, and there is no MAC table to go stale when a node reboots.

A VM that stops reading (its guest queue full, the VM paused) must not stall the
others: frames to a connection with more than MAX_BACKLOG bytes queued are
dropped, as a real switch drops on a full port.
"""
import asyncio
import struct
import sys

MAX_BACKLOG = 4 << 20
peers = set()


async def serve(reader, writer):
    peers.add(writer)
    name = writer.get_extra_info("peername")
    print(f"connected {name} ({len(peers)} port(s))", flush=True)
    try:
        while True:
            head = await reader.readexactly(4)
            (length,) = struct.unpack(">I", head)
            frame = await reader.readexactly(length)
            for other in list(peers):
                if other is writer or other.is_closing():
                    continue
                if other.transport.get_write_buffer_size() < MAX_BACKLOG:
                    other.write(head + frame)
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        peers.discard(writer)
        writer.close()
        print(f"disconnected {name} ({len(peers)} port(s))", flush=True)


async def main(port):
    server = await asyncio.start_server(serve, "127.0.0.1", port)
    print(f"hub listening on 127.0.0.1:{port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
