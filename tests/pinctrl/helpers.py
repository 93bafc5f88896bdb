"""Crafted packet-ins for pinctrl unit tests: the userdata comes from
pyovn's own encoding of the logical action, the message is the real
codec's NXT_PACKET_IN2."""

from pyovn.controller.pinctrl import Pinctrl
from pyovn.lang.actions import EncodeContext, ParseContext, encode_actions, parse_actions
from pyovn.openflow.codec import messages as W
from pyovn.openflow.model import Controller


class Log:
    def __init__(self):
        self.lines = []

    def warn(self, text):
        self.lines.append(text)

    info = dbg = err = warn


def userdata(action_text):
    pa = parse_actions(action_text, context=ParseContext(pipeline="ingress", table_id=10))
    acts = encode_actions(pa, EncodeContext(pipeline="ingress", table_id=10,
                                            ports={"p1": 1, "p2": 2}))
    ctl = [a for a in acts if isinstance(a, Controller)]
    assert len(ctl) == 1, acts
    return ctl[0].userdata, ctl[0].pause


def pin(packet, action_text, dp=1, port=1, regs=()):
    ud, pause = userdata(action_text)
    meta = [("metadata", dp, None), ("in_port", 5, None)]
    xregs = {}
    allregs = dict(regs)
    allregs[14] = port
    for n, v in allregs.items():
        x = n // 2
        xregs[x] = xregs.get(x, 0) | (v << (32 * (1 - n % 2)))
    meta += [("xreg%d" % x, v, None) for x, v in sorted(xregs.items())]
    msg = W.PacketIn2(packet=packet, table_id=18, cookie=1, reason=1, metadata=meta,
                      userdata=ud, continuation=b"\x01" * 16 if pause else None)
    # Through the wire and back, as the channel hands it over.
    from pyovn.openflow import codec
    return codec.decode(msg.encode(7))


def run(packet, action_text, **kw):
    """(messages pinctrl sent, log lines, pinctrl) for one packet-in."""
    sent, log = [], Log()
    pc = Pinctrl(log, sender=sent.append)
    pc.packet_in(pin(packet, action_text, **kw))
    return sent, log.lines, pc


def result_bit(msg, field="xreg0", bit=3 + 32):
    for name, val, _m in msg.metadata:
        if name == field:
            return (val >> bit) & 1
    return 0
