#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Receive the guest's Ethernet frames from QEMU's dgram netdev on 127.0.0.1 and keep the
netconsole text of UDP packets to given ports, one file per port, written at SIGTERM.

    netcon_receiver.py LISTEN_PORT DST_PORT:FILE...

Only the loopback address is used: QEMU sends each frame as one UDP datagram to
127.0.0.1:LISTEN_PORT.

Each file holds the packets in the order netpoll built them (their IPv4 identification,
which netpoll_send_udp() takes from one counter, unwrapped), which is the order of the
console's write() calls. The order of arrival may differ: netpoll queues a frame the
device refused and sends it later from a worker, and a frame written meanwhile can go
first.
"""
import signal
import socket
import struct
import sys

listen = int(sys.argv[1])
outs = {}
for spec in sys.argv[2:]:
    port, path = spec.split(":", 1)
    outs[int(port)] = (path, [])
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(("127.0.0.1", listen))
sock.settimeout(0.5)
running = True
last_id = None  # the last identification seen, unwrapped


def stop(_sig, _frame):
    global running
    running = False


signal.signal(signal.SIGTERM, stop)
while running:
    try:
        frame = sock.recv(65536)
    except socket.timeout:
        continue
    if len(frame) < 14 + 20 + 8 or struct.unpack("!H", frame[12:14])[0] != 0x0800:
        continue
    ip = frame[14:]
    ihl = (ip[0] & 0x0F) * 4
    if ip[9] != 17:  # UDP
        continue
    udp = ip[ihl:]
    dport, length = struct.unpack("!H", udp[2:4])[0], struct.unpack("!H", udp[4:6])[0]
    if dport in outs:
        ident = struct.unpack("!H", ip[4:6])[0]
        if last_id is None:
            last_id = ident
        else:
            # Frames arrive out of order by a few at most: the nearest unwrapped value.
            last_id += (ident - last_id + 0x8000) % 0x10000 - 0x8000
        outs[dport][1].append((last_id, udp[8:length]))
for path, packets in outs.values():
    with open(path, "ab") as f:
        for _, payload in sorted(packets, key=lambda p: p[0]):
            f.write(payload)
