"""What handlers send back to the switch: a generated packet with the
nested actions of the controller action (packet-out, the packet-in's
logical metadata reloaded first, as the pipeline had it), or the paused
packet resumed (NXT_RESUME) with its 1-bit result set."""

from pyovn.openflow.codec import actions as A
from pyovn.openflow.codec import messages as W

# Metadata fields reloaded into a generated packet before its nested
# actions run: the logical datapath, the registers (ports, flags, ...).
_RELOAD_PREFIXES = ("metadata", "reg", "xreg", "xxreg")


def reload_actions(pin):
    out = []
    for name, val, mask in pin.metadata:
        if name == "metadata" or name.startswith(_RELOAD_PREFIXES[1:]):
            out.append(A.Act("set_field", field=name, value=val, mask=mask))
    return out


def packet_out(pin, packet, nested):
    """PacketOut of PACKET running NESTED (OpenFlow 1.5 wire actions, the
    payload of the controller action) with PIN's metadata."""
    acts = reload_actions(pin) + A.decode_actions(nested)
    # A generated packet enters from the controller port, not from the
    # port of the packet it replaces: a reply may go back out that port.
    return W.PacketOut(data=packet, actions=acts, in_port=A.OFPP_CONTROLLER)


def _reg_bit(field, ofs):
    """(32-bit register index, bit) of bit OFS of register FIELD."""
    for prefix, width in (("xxreg", 128), ("xreg", 64), ("reg", 32)):
        if field.startswith(prefix):
            n = int(field[len(prefix):])
            per = width // 32
            return n * per + (per - 1 - ofs // 32), ofs % 32
    raise ValueError("result field %s is not a register" % field)


def set_result(pin, field, ofs, bit):
    """PIN's metadata with bit OFS of register FIELD set to BIT (OVS may
    report the register alone or inside its xreg/xxreg)."""
    meta = list(pin.metadata)
    k, b = _reg_bit(field, ofs)
    cands = [("reg%d" % k, b), ("xreg%d" % (k // 2), b + 32 * (1 - k % 2)),
             ("xxreg%d" % (k // 4), b + 32 * (3 - k % 4))]
    for i, (name, val, mask) in enumerate(meta):
        for cname, cofs in cands:
            if name == cname:
                val = (val | (1 << cofs)) if bit else (val & ~(1 << cofs))
                if mask is not None:        # OVS reports partly known registers masked
                    mask |= 1 << cofs
                meta[i] = (name, val, mask)
                return meta
    if bit:
        meta.append((cands[1][0], 1 << cands[1][1], None))
    return meta


def resume(pin, packet=None, result=None):
    """NXT_RESUME of paused PIN; RESULT = (field, ofs, bit) sets the
    action's result bit."""
    msg = pin.resume(packet)
    if result is not None:
        msg.metadata = set_result(pin, *result)
    return msg


def reg(pin, n):
    v = pin.field("reg%d" % n)
    return 0 if v is None else v


def xxreg(pin, n):
    v = 0
    for i in range(4):
        v = (v << 32) | reg(pin, 4 * n + i)
    return v
