"""The packet to trace, from ovn-trace's MICROFLOW argument.

The microflow is an expression in the logical flow language (ovn-sb(5));
its prerequisites are implied (`ip4.src == 10.0.0.1` also sets
eth.type = 0x800).  Every field it pins to a value with `==` is set in a
pyovn.lang Microflow; disjunctions that remain open (`ip` alone) take
their first alternative.  The result must satisfy the whole expression,
otherwise the microflow is contradictory or ambiguous and is rejected,
as ovn-trace does.
"""

from pyovn import lang
from pyovn.lang.errors import LangError
from pyovn.lang.evaluate import evaluate
from pyovn.lang.expr import And, Bool, Cmp, Or
from pyovn.lang.microflow import Microflow


def _pin(expr, mf):
    """Applies every `field == value` of EXPR's conjunctions; returns the
    Or nodes left open."""
    if isinstance(expr, And):
        open_ = []
        for c in expr.children:
            open_.extend(_pin(c, mf))
        return open_
    if isinstance(expr, Cmp) and expr.relop == "==":
        if expr.sym.is_string:
            mf.set(expr.sym, expr.value)
        else:
            mask = expr.mask if expr.mask is not None else (1 << expr.sym.width) - 1
            old = mf.get(expr.sym)
            mf.set(expr.sym, (old & ~mask) | (expr.value & mask))
        return []
    if isinstance(expr, Or):
        return [expr]
    return []


def parse_microflow(text, context=None):
    """Microflow for expression TEXT; raises LangError when it does not
    describe one packet."""
    expr = lang.annotate_expr(text, context)
    mf = Microflow()
    open_ = _pin(expr, mf)
    for _ in range(8):
        if not open_:
            break
        pending = []
        for o in open_:
            if not evaluate(o, mf, context):
                pending.extend(_pin(o.children[0], mf))
        open_ = pending
    if isinstance(expr, Bool) and not expr.value or not evaluate(expr, mf, context):
        raise LangError("microflow is contradictory or does not pin its fields "
                        "to values: %s" % text)
    if "inport" not in mf.strings:
        raise LangError("microflow must specify an input port (inport == \"...\")")
    return mf


def ovs_flow_text(mf, view=None, dp=None):
    """The microflow in OpenFlow syntax (the first line of a trace)."""
    parts = []
    et = mf.get("eth.type")
    proto = mf.get("ip.proto") if et in (0x800, 0x86dd) else None
    if et == 0x800:
        parts.append({6: "tcp", 17: "udp", 1: "icmp", 132: "sctp"}.get(proto, "ip"))
    elif et == 0x86dd:
        parts.append({6: "tcp6", 17: "udp6", 58: "icmp6", 132: "sctp6"}.get(proto, "ipv6"))
    elif et == 0x806:
        parts.append("arp")
    if view is not None and dp is not None:
        keys = view.port_keys(dp)
        ip = keys.get(mf.strings.get("inport", ""))
        if ip:
            parts.append("reg14=%#x" % ip)
    from pyovn.trace.sbdata import ip_text, mac_text
    parts.append("dl_src=%s" % mac_text(mf.get("eth.src")))
    parts.append("dl_dst=%s" % mac_text(mf.get("eth.dst")))
    if et == 0x800:
        parts.append("nw_src=%s" % ip_text(mf.get("ip4.src")))
        parts.append("nw_dst=%s" % ip_text(mf.get("ip4.dst")))
    elif et == 0x86dd:
        parts.append("ipv6_src=%s" % ip_text(mf.get("ip6.src"), True))
        parts.append("ipv6_dst=%s" % ip_text(mf.get("ip6.dst"), True))
    elif et == 0x806:
        parts.append("arp_spa=%s" % ip_text(mf.get("arp.spa")))
        parts.append("arp_tpa=%s" % ip_text(mf.get("arp.tpa")))
        parts.append("arp_op=%d" % mf.get("arp.op"))
    if et in (0x800, 0x86dd):
        parts.append("nw_ttl=%d" % mf.get("ip.ttl"))
        if proto in (6, 17, 132):
            parts.append("tp_src=%d" % mf.get("tcp.src" if proto == 6 else
                                              "udp.src" if proto == 17 else "sctp.src"))
            parts.append("tp_dst=%d" % mf.get("tcp.dst" if proto == 6 else
                                              "udp.dst" if proto == 17 else "sctp.dst"))
    return ",".join(parts)
