"""Value types of packet header fields: parsing from text, formatting back,
packing into bytes.  Also the Internet checksum every header uses."""

import ipaddress
import re
import struct


class PacketError(ValueError):
    """A packet description, or bytes to decode, that cannot be used; the
    message names the layer and the field."""


_MAC_RE = re.compile(r"^[0-9a-fA-F]{1,2}(:[0-9a-fA-F]{1,2}){5}$")


def mac_bytes(text):
    if isinstance(text, bytes) and len(text) == 6:
        return text
    if not isinstance(text, str) or not _MAC_RE.match(text):
        raise PacketError("'%s' is not an Ethernet address (xx:xx:xx:xx:xx:xx)" % (text,))
    return bytes(int(x, 16) for x in text.split(":"))


def mac_str(data):
    return ":".join("%02x" % b for b in data)


def ip4_bytes(text):
    try:
        return ipaddress.IPv4Address(text).packed
    except (ipaddress.AddressValueError, ValueError):
        raise PacketError("'%s' is not an IPv4 address" % (text,))


def ip4_str(data):
    return str(ipaddress.IPv4Address(data))


def ip6_bytes(text):
    try:
        return ipaddress.IPv6Address(text).packed
    except (ipaddress.AddressValueError, ValueError):
        raise PacketError("'%s' is not an IPv6 address" % (text,))


def ip6_str(data):
    return str(ipaddress.IPv6Address(data))


def parse_int(text, bits):
    """An unsigned integer of BITS bits, from an int or decimal/0x text."""
    if isinstance(text, bool):
        text = int(text)
    if isinstance(text, int):
        value = text
    else:
        try:
            value = int(str(text), 0)
        except ValueError:
            raise PacketError("'%s' is not an integer" % (text,))
    if value < 0 or value >= (1 << bits):
        raise PacketError("%d does not fit in %d bits" % (value, bits))
    return value


def parse_hex(text):
    """Bytes from hex text (spaces, ':' and a leading 0x allowed)."""
    if isinstance(text, (bytes, bytearray)):
        return bytes(text)
    s = str(text).strip()
    if s.lower().startswith("0x"):
        s = s[2:]
    s = re.sub(r"[\s:.]", "", s)
    try:
        return bytes.fromhex(s)
    except ValueError:
        raise PacketError("'%s' is not a hex string (an even number of hex digits)" % (text,))


def checksum(data, initial=0):
    """The 16-bit ones' complement Internet checksum (RFC 1071) of DATA."""
    if len(data) % 2:
        data += b"\0"
    total = initial + sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return ~total & 0xffff


def pseudo_header_sum(src, dst, proto, length):
    """Sum of the IPv4 or IPv6 pseudo-header (src/dst as packed bytes)."""
    if len(src) == 4:
        hdr = src + dst + struct.pack("!BBH", 0, proto, length)
    else:
        hdr = src + dst + struct.pack("!IxxxB", length, proto)
    return sum(struct.unpack("!%dH" % (len(hdr) // 2), hdr))


class Kind:
    """How one field type reads, prints and validates."""

    def __init__(self, name, parse, fmt):
        self.name = name
        self.parse = parse
        self.fmt = fmt


def _uint(bits, hexfmt=False):
    return Kind("uint%d" % bits, lambda t: parse_int(t, bits),
                (lambda v: "0x%04x" % v) if hexfmt else str)


MAC = Kind("mac", lambda t: mac_str(mac_bytes(t)), str)
IP4 = Kind("ip4", lambda t: ip4_str(ip4_bytes(t)), str)
IP6 = Kind("ip6", lambda t: ip6_str(ip6_bytes(t)), str)
HEX = Kind("hex", lambda t: parse_hex(t).hex(), str)
TEXT = Kind("text", str, lambda v: '"%s"' % v)


def BOOL_parse(text):
    if isinstance(text, bool):
        return text
    s = str(text).lower()
    if s in ("1", "true", "yes", "on"):
        return True
    if s in ("0", "false", "no", "off"):
        return False
    raise PacketError("'%s' is not a boolean (true/false/1/0)" % (text,))


BOOL = Kind("bool", BOOL_parse, lambda v: "1" if v else "0")
U1, U3, U4, U6, U8, U12, U13, U16, U20, U24, U32, U64 = (
    _uint(n) for n in (1, 3, 4, 6, 8, 12, 13, 16, 20, 24, 32, 64))
X16 = _uint(16, hexfmt=True)
