"""Decoding packet bytes into layers: a readable summary (which composes
back to the same bytes) and a flat dict of fields."""

from pyovn.packet import describe
from pyovn.packet.fields import PacketError, parse_hex
from pyovn.packet.layers import ND_BY_TYPE, header

TUNNELS = ("geneve", "vxlan", "stt")


class Layer:
    def __init__(self, name, values, auto):
        self.name = name
        self.values = values     # every field, typed
        self.auto = auto         # fields equal to what composing derives

    def items(self):
        """(field, text) for the summary: fields that are not derived and
        not at their default, plus those always shown."""
        h = header(self.name)
        out = []
        for f in h.fields:
            v = self.values.get(f.name)
            if v is None or f.name in self.auto:
                continue
            if not f.always and v == f.default:
                continue
            out.append((f.name, f.kind.fmt(v)))
        return out

    def __repr__(self):
        return describe.format_layer(self.name, self.items())


class Packet:
    """A decoded packet: .layers (outermost first), .data (the bytes),
    .errors (what could not be decoded; those bytes are in a payload)."""

    def __init__(self, data, layers, errors):
        self.data = data
        self.layers = layers
        self.errors = errors

    def summary(self):
        return "/".join(repr(layer) for layer in self.layers)

    __str__ = summary

    def __repr__(self):
        return "<Packet %s>" % self.summary()

    def to_dict(self):
        """{"eth.src": ..., "ip4.ttl": ...}; layers inside a tunnel get an
        "inner." prefix per level of encapsulation."""
        out = {}
        prefix = ""
        for layer in self.layers:
            for k, v in layer.values.items():
                if v is not None:
                    out.setdefault("%s%s.%s" % (prefix, layer.name, k), v)
            if layer.name in TUNNELS:
                prefix += "inner."
        return out

    def __getitem__(self, key):
        return self.to_dict()[key]

    def get(self, key, default=None):
        return self.to_dict().get(key, default)

    def layer(self, name):
        """The first (outermost) layer called NAME, or None."""
        for layer in self.layers:
            if layer.name == name:
                return layer
        return None

    @property
    def inner(self):
        """The frame carried by the outermost tunnel header, decoded, or None."""
        for i, layer in enumerate(self.layers):
            if layer.name in TUNNELS:
                return Packet(None, self.layers[i + 1:], self.errors)
        return None

    def __eq__(self, other):
        if isinstance(other, Packet):
            return self.summary() == other.summary()
        return NotImplemented

    def __hash__(self):
        return hash(self.summary())


def decode(data):
    """Decodes Ethernet frame DATA (bytes or hex text).  Never raises on
    malformed bytes: whatever cannot be decoded ends up in a payload layer
    and the reason in .errors."""
    if isinstance(data, str):
        data = parse_hex(data)
    data = bytes(data)
    layers, errors = [], []
    rest, nxt, prev = data, "eth", None
    while nxt and rest:
        if nxt == "icmp6" and rest[0] in ND_BY_TYPE:
            nxt = ND_BY_TYPE[rest[0]]
        h = header(nxt)
        try:
            values, auto, inner, following = h.decode(rest, prev)
        except PacketError as e:
            errors.append(str(e))
            if layers:
                # The next-protocol field no longer follows from a
                # decoded next layer: show it.
                layers[-1].auto.discard(header(layers[-1].name).next_field)
            break
        layers.append(Layer(nxt, values, auto))
        prev = (nxt, values)
        rest, nxt = inner, following
    if rest:
        values, auto, _, _ = header("payload").decode(rest, prev)
        layers.append(Layer("payload", values, auto))
    return Packet(data, layers, errors)


def summarize(data):
    return decode(data).summary()
