"""Packets: composing them from a readable description, decoding bytes
into layers, reading the pcap files of OVS dummy interfaces, and OVN's
tunnel metadata encodings.

    from pyovn import packet
    data = packet.compose("eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:03)/"
                          "ip4(src=10.0.0.1,dst=10.0.0.3)/icmp4(type=8,id=1,seq=1)")
    p = packet.decode(data)
    p.summary()        # the same description, derived fields left out
    p["ip4.ttl"]       # 64

Pure Python; see docs/sandbox.md for the description syntax.
"""

from pyovn.packet.compose import compose
from pyovn.packet.decode import Packet, decode, summarize
from pyovn.packet.fields import PacketError
from pyovn.packet import pcap, tunnel
from pyovn.packet.layers import HEADERS
from pyovn.packet.ovnfields import ovn_fields, tunnel_key

__all__ = ["compose", "decode", "summarize", "Packet", "PacketError", "pcap",
           "tunnel", "HEADERS", "ovn_fields", "tunnel_key"]
