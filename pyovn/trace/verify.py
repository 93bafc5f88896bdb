"""`pyovn trace --verify`: check a logical trace against the real datapath
of a sandbox (pyovn/sandbox).

The microflow is injected with `ovs-appctl ofproto/trace br-int FLOW` on
the chassis its inport is bound to (in_port = the VIF's OpenFlow port,
the same --ct flags as the logical trace, as --ct-next).  Every OpenFlow
step in a logical table (8 + N ingress, 42 + N egress) is read back as
(datapath key from `metadata`, pipeline, logical table, cookie), and the
logical trace's flows are matched against them in order: the cookie of
the OpenFlow flow must be the first 32 bits of the logical flow's UUID
(or name a logical flow with the same stage, priority, match and
actions, since ovn-controller installs identical flows once).  When the
logical steps left are not on this chassis and the datapath tunneled the
packet, the tunnel is followed: its Geneve VNI and OVN option
(tun_metadata0) and the rewrites done before the push are replayed with
ofproto/trace on the destination chassis' br-int, entering through its
tunnel port to the source chassis.  Finally the port the datapath
delivered to (table 65 output to a VIF) is compared with the logical
verdict.

The report names the first step where the two disagree: the logical
flow expected, and the OpenFlow flow (and its logical flow) hit instead,
or the table the datapath never reached.
"""

import os
import re
from dataclasses import dataclass

from pyovn.openflow import layout
from pyovn.trace.sbdata import ip_text, mac_text
from pyovn.trace.tracer import format_ct_state

STEP_RE = re.compile(r"^(\s*)(\d+)\. (.*)$")
COOKIE_RE = re.compile(r", priority (\d+)(?:, cookie (0x[0-9a-f]+))?$")
META_RE = re.compile(r"metadata=(0x[0-9a-f]+)")
OUTPUT_RE = re.compile(r"^\s*output:(\d+)\s*$")
TNL_RE = re.compile(r"tnl_push\(.*?ipv4\(src=([\d.]+),dst=([\d.]+).*?"
                    r"geneve\((?:[a-z]+,)*vni=(0x[0-9a-f]+)"
                    r"(?:,options\(\{class=0x102,type=0x80,len=4,(0x[0-9a-f]+)\}\))?")
SET_RE = re.compile(r"set\((eth|ipv4|ipv6|tcp|udp)\(([^()]*)\)\)")


class VerifyError(Exception):
    pass


@dataclass
class OfStep:
    table: int
    cookie: int          # None: no cookie / no match
    dp_key: int
    text: str
    no_match: bool = False

    @property
    def logical(self):
        """(pipeline, logical table) or None for a physical table."""
        if layout.LOG_INGRESS_PIPELINE <= self.table < layout.OUTPUT_LARGE_PKT_DETECT:
            return "ingress", self.table - layout.LOG_INGRESS_PIPELINE
        if layout.LOG_EGRESS_PIPELINE <= self.table < layout.SAVE_INPORT:
            return "egress", self.table - layout.LOG_EGRESS_PIPELINE
        return None


@dataclass
class OfTrace:
    chassis: str
    flow: str
    steps: list
    outputs: list           # OpenFlow ports table 65 output to
    actions: str            # "Datapath actions:" line
    n_ct: int
    text: str


def parse_of_trace(text, chassis="", flow=""):
    steps, outputs, actions, n_ct = [], [], "", 0
    meta = None
    last_table = None
    for line in text.splitlines():
        m = STEP_RE.match(line)
        if m:
            table, rest = int(m.group(2)), m.group(3)
            last_table = table
            if rest.strip() == "No match.":
                steps.append(OfStep(table, None, meta, rest, True))
                continue
            mm = META_RE.search(rest)
            if mm:
                meta = int(mm.group(1), 16)
            cm = COOKIE_RE.search(rest)
            cookie = int(cm.group(2), 16) if cm and cm.group(2) else None
            steps.append(OfStep(table, cookie, meta, rest))
            continue
        s = line.strip()
        if s.startswith("set_field:") and s.endswith("->metadata"):
            meta = int(s[len("set_field:"):-len("->metadata")], 16)
        om = OUTPUT_RE.match(line)
        if om and last_table == layout.LOG_TO_PHY:
            outputs.append(int(om.group(1)))
        if s.startswith("ct(") and "table=" in s:
            n_ct += 1
        if s.startswith("Datapath actions:"):
            actions = s[len("Datapath actions:"):].strip()
    return OfTrace(chassis, flow, steps, outputs, actions, n_ct, text)


def of_flow(mf, in_port=None, extra=""):
    """The microflow in the syntax ofproto/trace takes."""
    parts = []
    et = mf.get("eth.type")
    proto = mf.get("ip.proto") if et in (0x800, 0x86dd) else None
    if et == 0x800:
        parts.append({6: "tcp", 17: "udp", 1: "icmp", 132: "sctp"}.get(proto, "ip"))
    elif et == 0x86dd:
        parts.append({6: "tcp6", 17: "udp6", 58: "icmp6", 132: "sctp6"}.get(proto, "ipv6"))
    elif et == 0x806:
        parts.append("arp")
    elif et:
        parts.append("dl_type=%#x" % et)
    if in_port is not None:
        parts.append("in_port=%d" % in_port)
    if extra:
        parts.append(extra)
    parts.append("dl_src=%s" % mac_text(mf.get("eth.src")))
    parts.append("dl_dst=%s" % mac_text(mf.get("eth.dst")))
    if et == 0x800:
        parts += ["nw_src=%s" % ip_text(mf.get("ip4.src")),
                  "nw_dst=%s" % ip_text(mf.get("ip4.dst")),
                  "nw_ttl=%d" % mf.get("ip.ttl")]
    elif et == 0x86dd:
        parts += ["ipv6_src=%s" % ip_text(mf.get("ip6.src"), True),
                  "ipv6_dst=%s" % ip_text(mf.get("ip6.dst"), True),
                  "nw_ttl=%d" % mf.get("ip.ttl")]
    elif et == 0x806:
        parts += ["arp_op=%d" % mf.get("arp.op"),
                  "arp_spa=%s" % ip_text(mf.get("arp.spa")),
                  "arp_tpa=%s" % ip_text(mf.get("arp.tpa")),
                  "arp_sha=%s" % mac_text(mf.get("arp.sha")),
                  "arp_tha=%s" % mac_text(mf.get("arp.tha"))]
    if proto in (6, 17, 132):
        l4 = {6: "tcp", 17: "udp", 132: "sctp"}[proto]
        parts += ["%s_src=%d" % (l4, mf.get(l4 + ".src")),
                  "%s_dst=%d" % (l4, mf.get(l4 + ".dst"))]
    elif proto == 1:
        parts += ["icmp_type=%d" % mf.get("icmp4.type"),
                  "icmp_code=%d" % mf.get("icmp4.code")]
    elif proto == 58:
        parts += ["icmp_type=%d" % mf.get("icmp6.type"),
                  "icmp_code=%d" % mf.get("icmp6.code")]
    return ",".join(parts)


def _apply_sets(mf, actions_text):
    """Applies the datapath's set(eth(...)) / set(ipv4(...)) ... to MF."""
    import ipaddress
    names = {("eth", "src"): "eth.src", ("eth", "dst"): "eth.dst",
             ("ipv4", "src"): "ip4.src", ("ipv4", "dst"): "ip4.dst",
             ("ipv4", "ttl"): "ip.ttl", ("ipv6", "src"): "ip6.src",
             ("ipv6", "dst"): "ip6.dst", ("ipv6", "hlimit"): "ip.ttl",
             ("tcp", "src"): "tcp.src", ("tcp", "dst"): "tcp.dst",
             ("udp", "src"): "udp.src", ("udp", "dst"): "udp.dst"}
    for m in SET_RE.finditer(actions_text):
        layer = m.group(1)
        for kv in m.group(2).split(","):
            if "=" not in kv:
                continue
            k, v = kv.split("=", 1)
            field = names.get((layer, k))
            if field is None:
                continue
            if layer == "eth":
                value = int(v.replace(":", ""), 16)
            elif k in ("src", "dst") and layer in ("ipv4", "ipv6"):
                value = int(ipaddress.ip_address(v))
            else:
                value = int(v, 0)
            mf.set(field, value)


class Verifier:
    """Runs the datapath side through a pyovn.sandbox.Sandbox."""

    def __init__(self, sandbox, view):
        self.sbx = sandbox
        self.view = view

    def _ofport(self, chassis, cond):
        """OpenFlow port of the Interface matching COND (ovs-vsctl find)."""
        out = self.sbx.vsctl(chassis, "--bare", "--columns=ofport", "find",
                             "Interface", cond).split()
        ports = [int(x) for x in out if x.lstrip("-").isdigit() and int(x) > 0]
        return ports[0] if ports else None

    def _iface_of(self, chassis, ofport):
        out = self.sbx.vsctl(chassis, "--bare", "--columns=external_ids", "find",
                             "Interface", "ofport=%d" % ofport)
        m = re.search(r"iface-id=\"?([^,\"\s}]+)", out)
        return m.group(1) if m else None

    def _chassis_by_ip(self, ip):
        for name, info in self.view.chassis.items():
            if any(e[1] == ip for e in info["encaps"]):
                return name
        return None

    def of_trace(self, chassis, flow, ct_flags):
        args = ["ofproto/trace", "br-int", flow]
        for f in ct_flags:
            args += ["--ct-next", f]
        text = self.sbx.appctl(chassis, *args)
        return parse_of_trace(text, chassis, flow)


def _ct_words(bits):
    return format_ct_state(bits).replace("|", ",")


def verify(view, verifier, mf, result, ct_bits, out):
    """Compares RESULT (the logical trace of MF) with the datapath: the path
    to every logical output (or, if the packet is dropped, the drop).
    Writes the report to OUT; returns (agree, [OfTrace])."""
    inport = view.port(mf.strings["inport"])
    if inport is None or not inport.chassis:
        raise VerifyError('inport "%s" is not bound to a chassis: nothing to inject'
                          % mf.strings["inport"])
    chassis = inport.chassis
    ofport = verifier._ofport(chassis, 'external_ids:iface-id="%s"' % inport.name)
    if ofport is None:
        raise VerifyError('no interface with iface-id "%s" on chassis %s'
                          % (inport.name, chassis))
    # Each conntrack recirculation of the datapath gets the state the
    # logical trace gave the same action (then trk,est, its default).
    default = (1 << 5) | (1 << 1)
    used = [b for _, b in result.ct_log] if result.ct_log else list(ct_bits)
    flags = [_ct_words(b) for b in used] + [_ct_words(default)] * 8
    targets = [v for v in result.verdicts if v.kind == "output"] or result.verdicts[:1]
    if not targets:
        raise VerifyError("the logical trace has no verdict")
    cache = {}

    def of_trace(ch, flow, fl):
        key = (ch, flow, tuple(fl))
        if key not in cache:
            cache[key] = verifier.of_trace(ch, flow, fl)
        return cache[key]

    flow = of_flow(mf, ofport)
    out.write("verify: chassis %s: ofproto/trace br-int %s\n" % (chassis, flow))
    first = of_trace(chassis, flow, flags)
    agree_all = True
    for target in targets:
        what = ('the path to "%s"' % target.port if target.kind == "output"
                else "the drop (%s)" % target.reason)
        if len(targets) > 1:
            out.write("verify: %s\n" % what)
        agree, lines = _verify_path(view, verifier, mf, target, first, flags,
                                    of_trace)
        for line in lines:
            out.write(line + "\n")
        agree_all = agree_all and agree
    if len(targets) > 1:
        out.write("verify: %s\n" % ("all %d paths agree" % len(targets) if agree_all
                                     else "some paths disagree"))
    return agree_all, list(cache.values())


def _verify_path(view, verifier, mf, target, trace, flags, of_trace):
    lines = []
    steps = [(view.datapath(d), pipeline, table, uuid)
             for d, pipeline, table, uuid in target.path]
    pkt = mf.copy()
    followed = set()
    # The egress pipeline that delivers to a port runs on the chassis the
    # port is bound to: the final egress steps are checked there.
    final_egress = len(steps)
    if target.kind == "output" and steps:
        last_dp = steps[-1][0]
        while final_egress > 0 and steps[final_egress - 1][0] is last_dp \
                and steps[final_egress - 1][1] == "egress":
            final_egress -= 1
    j = i = 0
    while i < len(steps):
        dp, pipeline, table, uuid = steps[i]
        want = (dp.key, pipeline, table)
        same_key = [n for n in range(j, len(trace.steps))
                    if trace.steps[n].logical is not None
                    and (trace.steps[n].dp_key,) + trace.steps[n].logical == want]
        fl = view.all_flows[uuid][0]
        desc = "%s %s table %d (%s), priority %d, uuid %s" % (
            dp.name, pipeline, table, fl.stage, fl.priority, uuid[:8])
        remote = (i == final_egress and target.chassis
                  and target.chassis != trace.chassis)
        if not same_key or remote:
            nxt = _next_tunnel(trace, view, verifier, target)
            if nxt is not None and (trace.chassis, nxt[0]) not in followed:
                followed.add((trace.chassis, nxt[0]))
                dst, flow2 = _tunnel_flow(verifier, trace, pkt, nxt)
                lines.append("verify: tunnel %s -> %s: ofproto/trace br-int %s"
                             % (trace.chassis, dst, flow2))
                trace = of_trace(dst, flow2, flags[trace.n_ct:])
                j = 0
                continue
            last = trace.steps[j - 1].text if j else "(none)"
            lines.append("DIVERGES at step %d: the logical trace runs %s "
                         "(match: %s) but the datapath on %s never reaches OpenFlow "
                         "table %d for it; last OpenFlow step: %s; datapath actions: %s"
                         % (i + 1, desc, fl.match, trace.chassis,
                            _of_table(pipeline, table), last, trace.actions or "drop"))
            return False, lines
        # Several passes through the table (flood to local ports): the one
        # that ran this logical flow, else the first.
        good = [n for n in same_key if not trace.steps[n].no_match
                and trace.steps[n].cookie is not None
                and _same(view, trace.steps[n].cookie, fl)]
        if good:
            lines.append("  ok %3d. %s" % (i + 1, desc))
            j = good[0] + 1
            i += 1
            continue
        st = trace.steps[same_key[0]]
        if st.no_match:
            lines.append("DIVERGES at step %d: the logical trace runs %s (match: %s) but "
                         "OpenFlow table %d on %s has no matching flow (dropped)"
                         % (i + 1, desc, fl.match, st.table, trace.chassis))
            return False, lines
        other = view.flow_by_cookie(st.cookie) if st.cookie is not None else []
        hit = ("logical flow %s (%s, priority %d, match: %s)" % (
            other[0][0].uuid[:8], other[0][0].stage, other[0][0].priority,
            other[0][0].match) if other else "no logical flow")
        lines.append("DIVERGES at step %d: the logical trace runs %s (match: %s) but "
                     "OpenFlow table %d on %s hit `%s' (cookie %s: %s)"
                     % (i + 1, desc, fl.match, st.table, trace.chassis, st.text,
                        "%#x" % st.cookie if st.cookie is not None else "none", hit))
        return False, lines
    delivered = [verifier._iface_of(trace.chassis, p) for p in trace.outputs]
    if target.kind == "output":
        port = view.port(target.port)
        if target.port in delivered:
            lines.append('verify: agree: the datapath delivers to "%s" on %s'
                         % (target.port, trace.chassis))
        elif port is not None and port.type not in ("", "virtual"):
            lines.append('verify: agree up to the output to "%s" (type "%s"), which '
                         'leaves the integration bridge' % (target.port, port.type))
        else:
            lines.append('DIVERGES at the output: the logical trace delivers to "%s" '
                         'but the datapath on %s delivered to %s (datapath actions: %s)'
                         % (target.port, trace.chassis,
                            ", ".join('"%s"' % d for d in delivered if d) or "nothing",
                            trace.actions or "drop"))
            return False, lines
        return True, lines
    if any(delivered):
        lines.append("DIVERGES at the end: the logical trace drops (%s) but the "
                     "datapath on %s delivered to %s" % (
                         target.reason, trace.chassis,
                         ", ".join('"%s"' % d for d in delivered if d)))
        return False, lines
    lines.append("verify: agree: both drop (%s)" % target.reason)
    return True, lines


def _of_table(pipeline, table):
    return (layout.LOG_INGRESS_PIPELINE if pipeline == "ingress"
            else layout.LOG_EGRESS_PIPELINE) + table


def _same(view, cookie, fl):
    if cookie == fl.cookie:
        return True
    for other, _ in view.flow_by_cookie(cookie):
        if (other.pipeline, other.table, other.priority, other.match, other.actions) == \
                (fl.pipeline, fl.table, fl.priority, fl.match, fl.actions):
            return True
    return False


def _next_tunnel(trace, view, verifier, target):
    """(destination chassis, src ip, dst ip, vni, option, actions before the
    push) of the tunnel to follow, or None."""
    found = []
    for m in TNL_RE.finditer(trace.actions):
        dst = verifier._chassis_by_ip(m.group(2))
        if dst is None:
            continue
        found.append((dst, m.group(1), m.group(2), m.group(3), m.group(4),
                      trace.actions[:m.start()]))
    if not found:
        return None
    for f in found:
        if f[0] == target.chassis:
            return f
    return found[0]


def _tunnel_flow(verifier, trace, pkt, tnl):
    dst, src_ip, dst_ip, vni, opt, before = tnl
    _apply_sets(pkt, before)
    port = verifier._ofport(dst, 'options:remote_ip="%s"' % src_ip)
    if port is None:
        raise VerifyError("chassis %s has no tunnel port to %s" % (dst, src_ip))
    extra = "tun_id=%s,tun_src=%s,tun_dst=%s" % (vni, src_ip, dst_ip)
    if opt:
        extra += ",tun_metadata0=%s" % opt
    return dst, of_flow(pkt, port, extra)


def main_verify(view, opts, result, out):
    from pyovn.sandbox.sandbox import Sandbox
    from pyovn.trace.tracer import parse_ct_flags
    from pyovn.trace.uflow import parse_microflow
    import sys
    root = opts.sandbox or os.environ.get("PYOVN_SANDBOX")
    if not root:
        sys.stderr.write("pyovn trace: --verify needs a sandbox (--sandbox DIR or "
                         "$PYOVN_SANDBOX)\n")
        return 1
    try:
        sbx = Sandbox(root)
        sbx._require_state()
        mf = parse_microflow(opts.args[-1])
        agree, _ = verify(view, Verifier(sbx, view), mf, result,
                          [parse_ct_flags(f) for f in opts.ct], out)
    except Exception as e:          # sandbox, ovs-appctl or parse problems
        sys.stderr.write("pyovn trace: --verify: %s\n" % e)
        return 1
    return 0 if agree else 3
