"""Packet-generating actions: arp { }, nd_ns { }, nd_na { },
nd_na_router { }, icmp4 { }, icmp6 { }, icmp4_error { }, icmp6_error { },
tcp_reset { }, sctp_abort { }, reject { }, and igmp.

Each becomes a controller() action whose userdata holds the opcode and
the nested actions (OpenFlow 1.5 wire format); pinctrl builds the new
packet and sends it with those actions.  The nested actions'
prerequisites apply to the generated packet, so they are dropped; the
action's own prerequisite applies to the packet matched.
"""

from dataclasses import dataclass

from pyovn.lang.actions import base, opcodes
from pyovn.lang.actions.control import encode_list
from pyovn.lang.actions.wire import encode_nested


class _Nested(base.Action):
    opcode = None
    prereq = None
    pause = False

    @classmethod
    def parse(cls, p, tok):
        acts = p.nested()
        p.add_prereq(cls.prereq)
        return cls(acts)

    def nested_lists(self):
        return (self.actions,)

    def format(self):
        inner = self.actions or ()
        body = "".join(str(a) + " " for a in inner) if inner else "drop; "
        return "%s { %s}" % (self.names[0], body)

    def encode(self, ec):
        payload = encode_nested(encode_list(self.actions, ec))
        return [base.controller(self.opcode, payload, self.pause, ec)]

    def interpret(self, it):
        it.effect("controller", name=self.names[0],
                  effects=it.fork(self.actions))


def _nested_class(name, opcode, prereq, pause=False):
    @base.register
    @dataclass(frozen=True)
    class C(_Nested):
        names = (name,)
        actions: tuple = ()
    C.opcode = opcode
    C.prereq = prereq
    C.pause = pause
    C.__name__ = C.__qualname__ = "".join(w.capitalize() for w in name.split("_"))
    return C


Arp = _nested_class("arp", opcodes.ARP, "ip4")
NdNs = _nested_class("nd_ns", opcodes.ND_NS, "ip6")
NdNa = _nested_class("nd_na", opcodes.ND_NA, "nd_ns")
NdNaRouter = _nested_class("nd_na_router", opcodes.ND_NA_ROUTER, "nd_ns")
Icmp4 = _nested_class("icmp4", opcodes.ICMP, "ip4")
Icmp6 = _nested_class("icmp6", opcodes.ICMP, "ip6")
Icmp4Error = _nested_class("icmp4_error", opcodes.ICMP4_ERROR, "ip4")
Icmp6Error = _nested_class("icmp6_error", opcodes.ICMP6_ERROR, "ip6")
TcpReset = _nested_class("tcp_reset", opcodes.TCP_RESET, "tcp")
SctpAbort = _nested_class("sctp_abort", opcodes.SCTP_ABORT, "sctp")
Reject = _nested_class("reject", opcodes.REJECT, None)


@base.register
@dataclass(frozen=True)
class Igmp(base.Action):
    """igmp;  hands IGMP/MLD reports to pinctrl (multicast snooping)."""
    names = ("igmp",)

    @classmethod
    def parse(cls, p, tok):
        return cls()

    def format(self):
        return "igmp"

    def encode(self, ec):
        return [base.controller(opcodes.IGMP, b"", False, ec)]

    def interpret(self, it):
        it.effect("controller", name="igmp")
        it.stop()
