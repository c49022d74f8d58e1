#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Receive the guest's Ethernet frames from QEMU's dgram netdev on 127.0.0.1 and keep the
netconsole text of UDP packets to given ports, one file per port, until SIGTERM.

    netcon_receiver.py LISTEN_PORT DST_PORT:FILE...

Only the loopback address is used: QEMU sends each frame as one UDP datagram to
127.0.0.1:LISTEN_PORT.
"""
import signal
import socket
import struct
import sys

listen = int(sys.argv[1])
outs = {}
for spec in sys.argv[2:]:
    port, path = spec.split(":", 1)
    outs[int(port)] = open(path, "ab", buffering=0)
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(("127.0.0.1", listen))
sock.settimeout(0.5)
running = True


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
        outs[dport].write(udp[8:length])
