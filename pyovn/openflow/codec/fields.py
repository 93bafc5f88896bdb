"""OXM/NXM field table and match (de)serialisation.

A match travels as a list of (name, value, mask) triples: NAME is the
ovs-fields(7) name (reg0, metadata, eth_dst, ct_state, tun_metadata0, ...),
VALUE and MASK are non-negative integers (MAC, IPv4 and IPv6 addresses too),
MASK is None for an exact match.  On the wire each is one OXM TLV:
class(16) field(7) hasmask(1) length(8), then value and mask bytes.
"""

import struct

from pyovn.openflow import fields as _ofields
from pyovn.openflow.codec.errors import CodecError

OFPXMC_NXM_0 = 0x0000
OFPXMC_NXM_1 = 0x0001
OFPXMC_OPENFLOW_BASIC = 0x8000
OFPXMC_PACKET_REGS = 0x8001
OFPXMC_EXPERIMENTER = 0xffff


class Field:
    """The wire view of one field: OXM class and code, size in bytes."""
    __slots__ = ("name", "oxm_class", "code", "nbytes", "maskable", "nbits")

    def __init__(self, name, oxm_class, code, nbytes, maskable, nbits=None):
        self.name = name
        self.oxm_class = oxm_class
        self.code = code
        self.nbytes = nbytes
        self.maskable = maskable
        self.nbits = nbits if nbits is not None else nbytes * 8

    def header(self, hasmask=False, nbytes=None):
        """The 32-bit OXM header of this field."""
        n = self.nbytes if nbytes is None else nbytes
        return (self.oxm_class << 16) | (self.code << 9) | \
            (int(bool(hasmask)) << 8) | (n * 2 if hasmask else n)

    def __repr__(self):
        return "Field(%s)" % self.name


# The field facts (names, widths, NXM/OXM numbers) are declared once, in
# pyovn/openflow/fields.py; this derives the wire table from them.
FIELDS = {}           # canonical name -> Field used for encoding
NXM_FIELDS = {}       # canonical name -> its NXM encoding, where it has one
_BY_HEADER = {}       # (class, code) -> Field (every known encoding)
_WIRE_CLASSES = (OFPXMC_OPENFLOW_BASIC, OFPXMC_PACKET_REGS, OFPXMC_NXM_0,
                 OFPXMC_NXM_1)
TUN_METADATA_MAX_LEN = 124


def _wire_bytes(width):
    n = (width + 7) // 8
    return 4 if n == 3 else n


def _class_of(hdr_name):
    for prefix, cls in sorted(_ofields.HEADER_CLASS.items(),
                              key=lambda kv: -len(kv[0])):
        if hdr_name.startswith(prefix + "_"):
            return cls
    return None


def _build():
    for info in _ofields.FIELDS.values():
        nbytes = 0 if info.name.startswith("tun_metadata") else _wire_bytes(info.width)
        encodings = []
        for hdr in (info.oxm, info.nxm):
            if hdr:
                cls = _class_of(hdr[0])
                if cls in _WIRE_CLASSES:
                    encodings.append(Field(info.name, cls, hdr[1], nbytes,
                                           info.maskable, info.width))
        if not encodings:
            continue
        FIELDS[info.name] = encodings[0]
        for f in encodings:
            if f.oxm_class in (OFPXMC_NXM_0, OFPXMC_NXM_1):
                NXM_FIELDS[info.name] = f
            _BY_HEADER.setdefault((f.oxm_class, f.code), f)
    # OpenFlow 1.5 numbers of two fields ovs-fields lists under an
    # experimenter class (what OVS sends back on a 1.5 connection).
    _BY_HEADER[(OFPXMC_OPENFLOW_BASIC, 42)] = Field(
        "tcp_flags", OFPXMC_OPENFLOW_BASIC, 42, 2, True, 12)
    _BY_HEADER[(OFPXMC_OPENFLOW_BASIC, 43)] = Field(
        "actset_output", OFPXMC_OPENFLOW_BASIC, 43, 4, False, 32)


_build()


_FIELD_CACHE = {}


def field(name):
    """The wire Field called NAME (ovs-fields name, alias or NXM_* name)."""
    fld = _FIELD_CACHE.get(name)
    if fld is not None:
        return fld
    info = _ofields.lookup(name) or _ofields.lookup(name.lower())
    fld = FIELDS.get(info.name) if info else None
    if fld is None:
        raise CodecError("unknown field %r (or one with no OXM/NXM encoding)"
                         % name)
    _FIELD_CACHE[name] = fld
    return fld


def canonical(name):
    return field(name).name


def tun_metadata_index(name):
    if name.startswith("tun_metadata"):
        return int(name[len("tun_metadata"):])
    return None


class EncodeContext:
    """What encoding needs beyond the message itself: the size of each
    tun_metadataN as mapped by NXT_TLV_TABLE_MOD (OVN maps tun_metadata0 to
    its 4-byte Geneve option)."""

    def __init__(self, tlv_lengths=None):
        self.tlv_lengths = dict(tlv_lengths or {0: 4})

    def field_bytes(self, fld):
        idx = tun_metadata_index(fld.name)
        if idx is None:
            return fld.nbytes
        return self.tlv_lengths.get(idx, 4)


DEFAULT_CONTEXT = EncodeContext()


def _int_to_bytes(value, nbytes, what):
    if value < 0 or value >> (nbytes * 8):
        raise CodecError("%s: value 0x%x does not fit in %d bytes"
                         % (what, value, nbytes))
    return value.to_bytes(nbytes, "big")


def oxm_header_bytes(fld, hasmask=False, ctx=DEFAULT_CONTEXT):
    """OXM header (4 bytes, or 8 for experimenter classes) naming FLD, as
    used inside actions (copy_field, reg_move, learn)."""
    return struct.pack("!I", fld.header(hasmask, ctx.field_bytes(fld)))


def nxm_header_bytes(name, ctx=DEFAULT_CONTEXT):
    """The header naming field NAME inside Nicira actions whose layout
    predates OXM (learn, stack push/pop, output to a register,
    check_pkt_larger, ct zone): its NXM header where it has one, as OVS
    itself writes them; else its OXM header."""
    fld = field(name)
    return oxm_header_bytes(NXM_FIELDS.get(fld.name, fld), False, ctx)


def encode_tlv(name, value, mask=None, ctx=DEFAULT_CONTEXT):
    """One OXM TLV."""
    fld = field(name)
    n = ctx.field_bytes(fld)
    if mask is not None:
        if not fld.maskable:
            full = (1 << (n * 8)) - 1
            if mask & full == full:
                mask = None
            else:
                raise CodecError("field %s cannot be masked" % fld.name)
    if mask is not None and mask == (1 << (n * 8)) - 1:
        mask = None
    if mask is not None:
        if value & ~mask:
            value &= mask
        body = _int_to_bytes(value, n, fld.name) + _int_to_bytes(mask, n, fld.name)
    else:
        body = _int_to_bytes(value, n, fld.name)
    return struct.pack("!I", fld.header(mask is not None, n)) + body


def encode_fields(match, ctx=DEFAULT_CONTEXT):
    """The concatenated TLVs of MATCH, a list of (name, value, mask)."""
    return b"".join(encode_tlv(n, v, m, ctx) for n, v, m in match)


def decode_header(data, off=0):
    """Parses an OXM header at OFF: returns (Field, hasmask, length,
    header_size)."""
    if len(data) - off < 4:
        raise CodecError("truncated OXM header")
    hdr, = struct.unpack_from("!I", data, off)
    cls, code, hasmask, length = hdr >> 16, (hdr >> 9) & 0x7f, (hdr >> 8) & 1, hdr & 0xff
    hsize = 4
    if cls == OFPXMC_EXPERIMENTER:
        hsize = 8
    fld = _BY_HEADER.get((cls, code))
    if fld is None:
        raise CodecError("unknown OXM field class 0x%04x field %d" % (cls, code))
    return fld, bool(hasmask), length, hsize


def decode_fields(data):
    """Parses concatenated OXM TLVs into a list of (name, value, mask)."""
    out = []
    off = 0
    while off < len(data):
        fld, hasmask, length, hsize = decode_header(data, off)
        off += hsize
        if off + length > len(data):
            raise CodecError("OXM field %s: length %d overruns match" % (fld.name, length))
        body = data[off:off + length]
        off += length
        if hasmask:
            half = length // 2
            if length % 2:
                raise CodecError("OXM field %s: odd masked length" % fld.name)
            value = int.from_bytes(body[:half], "big")
            mask = int.from_bytes(body[half:], "big")
        else:
            value, mask = int.from_bytes(body, "big"), None
        name = fld.name
        if name == "in_port_oxm":
            # A 32-bit OpenFlow 1.1+ port: the model's in_port is the
            # 16-bit one (reserved ports 0xffffff00+ map to 0xff00+).
            name = "in_port"
            if value >= 0xffffff00:
                value -= 0xffff0000
        out.append((name, value, mask))
    return out


# OXM requires a field's prerequisites to come before it: order fields by
# protocol layer (stable within a layer).
_LAYER = {"eth_type": 1, "vlan_tci": 1, "vlan_vid": 1, "vlan_pcp": 2,
          "nw_proto": 2, "arp_op": 3, "arp_spa": 3, "arp_tpa": 3, "arp_sha": 3,
          "arp_tha": 3, "ip_src": 3, "ip_dst": 3, "ipv6_src": 3, "ipv6_dst": 3,
          "ipv6_label": 3, "ip_dscp": 3, "nw_ecn": 3, "nw_tos": 3, "nw_ttl": 3,
          "ip_frag": 3, "mpls_label": 3, "mpls_tc": 3, "mpls_bos": 3,
          "tcp_src": 4, "tcp_dst": 4, "udp_src": 4, "udp_dst": 4,
          "sctp_src": 4, "sctp_dst": 4, "tcp_flags": 4, "icmp_type": 4,
          "icmp_code": 4, "icmpv6_type": 4, "icmpv6_code": 4,
          "nd_target": 5, "nd_sll": 5, "nd_tll": 5,
          "ct_nw_src": 1, "ct_nw_dst": 1, "ct_ipv6_src": 1, "ct_ipv6_dst": 1,
          "ct_tp_src": 2, "ct_tp_dst": 2}


def ordered(match):
    """MATCH with prerequisites first (what OXM demands)."""
    match = [(canonical(n), v, m) for n, v, m in match]
    return sorted(match, key=lambda t: _LAYER.get(t[0], 0))


def encode_match(match, ctx=DEFAULT_CONTEXT):
    """An ofp_match of type OXM (padded to 8 bytes)."""
    tlvs = encode_fields(ordered(match), ctx)
    length = 4 + len(tlvs)
    pad = (-length) % 8
    return struct.pack("!HH", 1, length) + tlvs + b"\0" * pad


def decode_match(data, off=0):
    """Parses an ofp_match at OFF: returns (match list, bytes consumed)."""
    if len(data) - off < 4:
        raise CodecError("truncated ofp_match")
    mtype, length = struct.unpack_from("!HH", data, off)
    if mtype != 1:
        raise CodecError("ofp_match type %d is not OXM" % mtype)
    if length < 4 or off + length > len(data):
        raise CodecError("ofp_match length %d is bad" % length)
    fields = decode_fields(data[off + 4:off + length])
    return fields, (length + 7) // 8 * 8
