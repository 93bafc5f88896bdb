"""Reading (and, for tests, writing) pcap files, as Open vSwitch's dummy
interfaces write them (options:tx_pcap and options:rxq_pcap).

OVS appends to these files while running, so a record cut short at the end
of the file is not an error: read() returns the complete records only.
"""

import struct

from pyovn.packet.fields import PacketError

MAGICS = {b"\xd4\xc3\xb2\xa1": ("<", 1e-6), b"\xa1\xb2\xc3\xd4": (">", 1e-6),
          b"\x4d\x3c\xb2\xa1": ("<", 1e-9), b"\xa1\xb2\x3c\x4d": (">", 1e-9)}
LINKTYPE_ETHERNET = 1


class Record:
    def __init__(self, ts, data, orig_len):
        self.ts = ts              # seconds since the epoch, float
        self.data = data          # captured bytes
        self.orig_len = orig_len

    def __repr__(self):
        return "<Record %.6f %d bytes>" % (self.ts, len(self.data))


def read(path):
    """The records of pcap file PATH.  A missing or still-empty file has
    none.  Raises PacketError if the file is not a pcap file."""
    try:
        with open(path, "rb") as f:
            blob = f.read()
    except FileNotFoundError:
        return []
    return parse(blob, path)


def parse(blob, what="pcap data"):
    if len(blob) < 24:
        return []
    try:
        order, unit = MAGICS[blob[:4]]
    except KeyError:
        raise PacketError("%s: not a pcap file (magic %s)" % (what, blob[:4].hex()))
    linktype = struct.unpack(order + "I", blob[20:24])[0]
    if linktype != LINKTYPE_ETHERNET:
        raise PacketError("%s: link type %d, only Ethernet (1) is supported" % (what, linktype))
    records = []
    off = 24
    while off + 16 <= len(blob):
        sec, frac, incl, orig = struct.unpack(order + "IIII", blob[off:off + 16])
        if off + 16 + incl > len(blob):
            break
        records.append(Record(sec + frac * unit, blob[off + 16:off + 16 + incl], orig))
        off += 16 + incl
    return records


def packets(path):
    """The captured frames of PATH, as bytes."""
    return [r.data for r in read(path)]


def write(path, frames, ts=0.0):
    """Writes FRAMES (bytes) as a microsecond pcap file (for tests and
    for feeding captures to other tools)."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, LINKTYPE_ETHERNET))
        for i, frame in enumerate(frames):
            t = ts + i * 1e-6
            f.write(struct.pack("<IIII", int(t), int(round((t % 1) * 1e6)) % 1000000,
                                len(frame), len(frame)))
            f.write(frame)
