"""The packet to trace, from ovn-trace's MICROFLOW argument.

The microflow is an expression in the logical flow language (ovn-sb(5));
its prerequisites are implied (`ip4.src == 10.0.0.1` also sets
eth.type = 0x800).  Every field it pins to a value with `==` is set in a
pyovn.lang Microflow.  A disjunction the pinned fields do not decide
(`tcp.src == 80` alone: IPv4 or IPv6?) makes it ambiguous, a result that
does not satisfy the whole expression (`ip4 && ip6`, `tcp.src > 1024`)
contradictory or not pinned: both are rejected, as ovn-trace does.
"""

from pyovn import lang
from pyovn.lang.errors import LangError
from pyovn.lang.evaluate import evaluate
from pyovn.lang.expr import And, Bool, Cmp, Or
from pyovn.lang.microflow import Microflow


def _pin(expr, mf, pinned):
    """Applies every `field == value` of EXPR's conjunctions; returns the
    Or nodes left open.  PINNED maps symbol name -> bits already pinned;
    two different values for the same bits are a contradiction."""
    if isinstance(expr, And):
        open_ = []
        for c in expr.children:
            open_.extend(_pin(c, mf, pinned))
        return open_
    if isinstance(expr, Cmp) and expr.relop == "==":
        name = expr.sym.name
        if expr.sym.is_string:
            if name in pinned and mf.get(expr.sym) != expr.value:
                raise LangError("Constraints are contradictory.")
            mf.set(expr.sym, expr.value)
            pinned[name] = True
        else:
            mask = expr.mask if expr.mask is not None else (1 << expr.sym.width) - 1
            old = mf.get(expr.sym)
            both = pinned.get(name, 0) & mask
            if both and (old & both) != (expr.value & both):
                raise LangError("Constraints are contradictory.")
            mf.set(expr.sym, (old & ~mask) | (expr.value & mask))
            pinned[name] = pinned.get(name, 0) | mask
        return []
    if isinstance(expr, Or):
        return [expr]
    return []


def parse_microflow(text, context=None):
    """Microflow for expression TEXT; raises LangError when it does not
    describe one packet."""
    expr = lang.annotate_expr(text, context)
    mf = Microflow()
    if isinstance(expr, Bool) and not expr.value:
        raise LangError("Constraints are contradictory.")
    open_ = _pin(expr, mf, {})
    for o in open_:
        if not evaluate(o, mf, context):
            # e.g. `tcp.src == 80' alone: IPv4 or IPv6?
            raise LangError("Constraints are ambiguous: %s." % expr)
    if not evaluate(expr, mf, context):
        # e.g. `tcp.src > 1024': no single value.
        raise LangError("Constraints are ambiguous: %s." % expr)
    if "inport" not in mf.strings:
        raise LangError("microflow must specify an inport (inport == \"PORT\")")
    return mf


def ovs_flow_text(mf, view=None, dp=None):
    """The microflow in OpenFlow syntax, as ovs-ofctl prints a flow (the
    first line of a trace)."""
    from pyovn.trace.sbdata import ip_text, mac_text
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
        key = view.port_keys(dp).get(mf.strings.get("inport", ""))
        if key:
            parts.append("reg14=%#x" % key)
    parts.append("vlan_tci=0x%04x" % mf.get("vlan.tci"))
    parts.append("dl_src=%s" % mac_text(mf.get("eth.src")))
    parts.append("dl_dst=%s" % mac_text(mf.get("eth.dst")))
    if et not in (0x800, 0x86dd, 0x806):
        parts.append("dl_type=0x%04x" % et)
        return ",".join(parts)
    if et == 0x806:
        parts += ["arp_spa=%s" % ip_text(mf.get("arp.spa")),
                  "arp_tpa=%s" % ip_text(mf.get("arp.tpa")),
                  "arp_op=%d" % mf.get("arp.op"),
                  "arp_sha=%s" % mac_text(mf.get("arp.sha")),
                  "arp_tha=%s" % mac_text(mf.get("arp.tha"))]
        return ",".join(parts)
    if et == 0x800:
        parts += ["nw_src=%s" % ip_text(mf.get("ip4.src")),
                  "nw_dst=%s" % ip_text(mf.get("ip4.dst"))]
    else:
        parts += ["ipv6_src=%s" % ip_text(mf.get("ip6.src"), True),
                  "ipv6_dst=%s" % ip_text(mf.get("ip6.dst"), True),
                  "ipv6_label=0x%05x" % mf.get("ip6.label")]
    dscp, ecn = mf.get("ip.dscp"), mf.get("ip.ecn")
    parts += ["nw_tos=%d" % (dscp << 2), "nw_ecn=%d" % ecn,
              "nw_ttl=%d" % mf.get("ip.ttl"), "nw_frag=no"]
    if proto in (6, 17, 132):
        l4 = {6: "tcp", 17: "udp", 132: "sctp"}[proto]
        parts += ["tp_src=%d" % mf.get(l4 + ".src"), "tp_dst=%d" % mf.get(l4 + ".dst")]
        if proto == 6:
            parts.append("tcp_flags=%d" % mf.get("tcp.flags"))
    elif proto == 1:
        parts += ["icmp_type=%d" % mf.get("icmp4.type"),
                  "icmp_code=%d" % mf.get("icmp4.code")]
    elif proto == 58:
        parts += ["icmp_type=%d" % mf.get("icmp6.type"),
                  "icmp_code=%d" % mf.get("icmp6.code")]
    return ",".join(parts)
