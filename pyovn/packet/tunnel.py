"""OVN's tunnel metadata encodings (ovn-architecture(7), "Tunnel
Encapsulations"), as pure functions shared by the controller, the tracer
and the packet decoder.

Every tunnel carries three values between chassis: the logical datapath
(Datapath_Binding.tunnel_key, 24 bits), the logical ingress port (15 bits)
and the logical egress port (16 bits; 32768 and up are multicast groups).

  Geneve  VNI = datapath; one option, class 0x0102 type 0x80, 4 bytes:
          1 reserved bit, 15-bit ingress port, 16-bit egress port.
  STT     64-bit tunnel id, MSB to LSB: 9 reserved bits, 15-bit ingress
          port, 16-bit egress port, 24-bit datapath.
  VXLAN   24-bit VNI: 12-bit egress port (high), 12-bit datapath (low);
          no ingress port.
"""

import struct

from pyovn.openflow.layout import GENEVE_OPT_CLASS, GENEVE_OPT_LEN, GENEVE_OPT_TYPE
from pyovn.packet.fields import PacketError

DP_BITS = 24
INPORT_BITS = 15
OUTPORT_BITS = 16
VXLAN_DP_BITS = 12
VXLAN_OUTPORT_BITS = 12


def _check(what, value, bits):
    if not isinstance(value, int) or value < 0 or value >= (1 << bits):
        raise PacketError("%s %r does not fit in %d bits" % (what, value, bits))


# --- Geneve ----------------------------------------------------------------
def geneve_ovn_value(inport, outport):
    """The 32-bit value of OVN's Geneve option (what OVS calls
    tun_metadata0 in OVN's flows)."""
    _check("logical inport", inport, INPORT_BITS)
    _check("logical outport", outport, OUTPORT_BITS)
    return (inport << 16) | outport


def geneve_ovn_option(inport, outport):
    """OVN's Geneve option as TLV bytes: class, type, length in 4-byte
    words, then the value."""
    return (struct.pack("!HBB", GENEVE_OPT_CLASS, GENEVE_OPT_TYPE, GENEVE_OPT_LEN // 4)
            + struct.pack("!I", geneve_ovn_value(inport, outport)))


def geneve_ovn_decode(value):
    """(inport, outport) from the option's value (4 bytes or an int).
    The reserved top bit must be 0."""
    if isinstance(value, (bytes, bytearray)):
        if len(value) != 4:
            raise PacketError("OVN Geneve option value must be 4 bytes, got %d" % len(value))
        value = struct.unpack("!I", value)[0]
    if value >> 31:
        raise PacketError("OVN Geneve option 0x%08x has the reserved bit set" % value)
    return (value >> 16) & 0x7fff, value & 0xffff


def geneve_options(data):
    """Splits Geneve option bytes into [(class, type, data)]."""
    out = []
    off = 0
    while off < len(data):
        if off + 4 > len(data):
            raise PacketError("geneve: option header truncated at byte %d" % off)
        cls, typ, length = struct.unpack("!HBB", data[off:off + 4])
        n = (length & 0x1f) * 4
        if off + 4 + n > len(data):
            raise PacketError("geneve: option 0x%04x/0x%02x longer than the options" % (cls, typ))
        out.append((cls, typ, bytes(data[off + 4:off + 4 + n])))
        off += 4 + n
    return out


# --- STT -------------------------------------------------------------------
def stt_tunnel_id(datapath, inport, outport):
    _check("datapath key", datapath, DP_BITS)
    _check("logical inport", inport, INPORT_BITS)
    _check("logical outport", outport, OUTPORT_BITS)
    return (inport << 40) | (outport << 24) | datapath


def stt_decode(tunnel_id):
    """(datapath, inport, outport) from a 64-bit STT tunnel id."""
    _check("STT tunnel id", tunnel_id, 64)
    if tunnel_id >> 55:
        raise PacketError("STT tunnel id 0x%016x has reserved bits set" % tunnel_id)
    return tunnel_id & 0xffffff, (tunnel_id >> 40) & 0x7fff, (tunnel_id >> 24) & 0xffff


# --- VXLAN -----------------------------------------------------------------
def vxlan_vni(datapath, outport):
    _check("datapath key (VXLAN)", datapath, VXLAN_DP_BITS)
    _check("logical outport (VXLAN)", outport, VXLAN_OUTPORT_BITS)
    return (outport << VXLAN_DP_BITS) | datapath


def vxlan_decode(vni):
    """(datapath, outport) from a 24-bit VXLAN VNI."""
    _check("VXLAN VNI", vni, 24)
    return vni & 0xfff, vni >> 12
