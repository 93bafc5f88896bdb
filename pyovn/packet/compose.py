"""Building packet bytes from a description (see describe.py), from a list
of (layer, fields) pairs, or from hex."""

import re

from pyovn.packet import describe
from pyovn.packet.fields import PacketError, parse_hex
from pyovn.packet.layers import header

_HEX_RE = re.compile(r"^(0x)?[0-9a-fA-F\s]+$")


def compose(spec=None, **layers):
    """Returns the bytes of the packet SPEC:

      - a description "eth(src=..,dst=..)/ip4(src=..,dst=..)/udp(src=1,dst=2)";
      - a hex string (the whole frame), "0x" and spaces allowed;
      - bytes (returned unchanged);
      - a list of (layer name, {field: value}) pairs, values as text or
        Python values.

    Keyword form: compose(eth=dict(src=.., dst=..), ip4=dict(...), ...)
    builds the layers in the order given.

    Raises PacketError naming the layer and field on bad input."""
    if spec is None:
        if not layers:
            raise PacketError("nothing to compose")
        spec = list(layers.items())
    elif layers:
        raise PacketError("give a description or keyword layers, not both")
    if isinstance(spec, (bytes, bytearray)):
        return bytes(spec)
    if isinstance(spec, str):
        if _HEX_RE.match(spec.strip()):
            return parse_hex(spec)
        spec = describe.parse(spec)
    return _build(list(spec))


def _build(layers):
    if not layers:
        raise PacketError("a packet needs at least one layer")
    filled = []
    for name, fields in layers:
        h = header(name)
        filled.append((h, h.fill(dict(fields or {}))))
    for (h, _), nxt in zip(filled, filled[1:]):
        if h.name in ("arp", "payload"):
            raise PacketError("%s must be the last layer (found %s after it)"
                              % (h.name, nxt[0].name))
    data = b""
    for i in range(len(filled) - 1, -1, -1):
        h, values = filled[i]
        nxt = filled[i + 1][0].name if i + 1 < len(filled) else None
        prev = (filled[i - 1][0].name, filled[i - 1][1]) if i > 0 else None
        data = h.encode(values, data, nxt, prev)
    return data
