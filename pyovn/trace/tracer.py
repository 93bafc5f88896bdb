"""The logical pipeline walk.

    t = Tracer(view, ct_flags=["trk,new"], lb_dst="10.0.0.2:80")
    result = t.trace(datapath, microflow)     # -> TraceResult
    result.root      tree of Nodes (rendered by pyovn.trace.render)
    result.verdicts  [Verdict]: every place the packet ended up

A packet starts in the ingress pipeline of its datapath at table 0.  In
each table the highest-priority Logical_Flow whose match holds is run;
its actions are interpreted one by one (pyovn.lang.actions), and the
tracer follows the ones that move the packet: next (the next table, same
packet), output (ingress -> egress of the same datapath, each member of a
multicast group in its own branch; egress -> the port: a patch port
enters its peer's datapath, a chassisredirect port hands the packet to
its distributed port on the gateway chassis, anything else is a final
delivery), the conntrack recirculations (ct_next, ct_lb, ct_lb_mark,
ct_dnat, ct_snat, ct_commit_nat: the next --ct flags, default trk|est),
clone { } and the packet-generating actions (arp { }, icmp4 { }, ...)
in branches.  Helper-table lookups are answered from the SB snapshot.
"""

import ipaddress
import re
import sys
from dataclasses import dataclass, field

from pyovn import lang
from pyovn.lang.actions import Interpreter, ParseContext, parse_actions
from pyovn.lang.actions import assign as act_assign
from pyovn.lang.actions import conntrack as act_ct
from pyovn.lang.actions import control as act_ctl
from pyovn.lang.actions import neighbor as act_nb
from pyovn.lang.actions import packet as act_pkt
from pyovn.lang.context import Context
from pyovn.lang.errors import LangError
from pyovn.lang.evaluate import evaluate
from pyovn.lang.lexer import format_value
from pyovn.trace import portsec
from pyovn.trace.sbdata import mac_text

CT_BITS = {"new": 0, "est": 1, "rel": 2, "rpl": 3, "inv": 4, "trk": 5,
           "snat": 6, "dnat": 7}
MAX_DEPTH = 64          # pipelines and branches nested in one trace
MAX_FLOWS = 5000        # logical flows executed in one trace
# Helper lookups whose (register) result the minimal form shows, as
# ovn-trace does.
MINIMAL_LOOKUPS = ("chk_lb_hairpin", "chk_lb_hairpin_reply")

# Why a packet dropped in a stage is dropped, for the `/* drop: ... */'
# remark and the verdict.  %(inport)s / %(outport)s / %(hint)s are filled in.
STAGE_DROP_REASONS = {
    "ls_in_check_port_sec": 'port security of inport "%(inport)s"',
    "ls_in_apply_port_sec": 'port security of inport "%(inport)s"',
    "ls_out_check_port_sec": 'port security of outport "%(outport)s"',
    "ls_out_apply_port_sec": 'port security of outport "%(outport)s"',
    "ls_in_acl": "ACL%(hint)s",
    "ls_in_acl_after_lb": "ACL%(hint)s",
    "ls_out_acl": "ACL%(hint)s",
    "ls_in_l2_unknown": "destination MAC unknown on the switch",
    "lr_in_admission": "not for this router port (Ethernet destination, VLAN "
                       "or source check)",
    "lr_in_ip_input": "router input checks (TTL, martian or own address, "
                      "unsupported protocol)",
    "lr_in_ip_routing": "no route to the destination",
    "lr_in_policy": "router policy%(hint)s",
    "lr_in_lookup_neighbor": "neighbour lookup",
    "lr_in_arp_resolve": "next hop MAC not resolved",
}


def parse_ct_flags(text):
    """ct_state bits of a --ct argument (comma or space separated)."""
    bits = 1 << CT_BITS["trk"]
    for word in text.replace(",", " ").replace("|", " ").split():
        w = word.strip().lower()
        if w.startswith("+"):
            w = w[1:]
        if w not in CT_BITS:
            raise ValueError("%s: unknown connection tracking flag (expected one "
                             "of %s)" % (word, ", ".join(CT_BITS)))
        bits |= 1 << CT_BITS[w]
    return bits


def format_ct_state(bits):
    order = ["new", "est", "rel", "rpl", "inv", "dnat", "snat", "trk"]
    return "|".join(n for n in order if bits & (1 << CT_BITS[n])) or "0"


@dataclass
class Node:
    """kind: pipeline, flow, action, comment, branch, drop, output."""
    kind: str
    text: str = ""
    children: list = field(default_factory=list)
    info: dict = field(default_factory=dict)

    def add(self, kind, text="", **info):
        n = Node(kind, text, [], info)
        self.children.append(n)
        return n

    def walk(self):
        yield self
        for c in self.children:
            yield from c.walk()


@dataclass
class Verdict:
    kind: str                 # "output" or "drop"
    port: str = ""            # output: the logical port
    datapath: str = ""
    chassis: str = ""         # the chassis the port is bound to ("" unknown)
    tunnel_from: str = ""     # chassis the packet was on, if it hops
    reason: str = ""
    changes: tuple = ()       # minimal-style field rewrites on the way
    path: tuple = ()          # ((dp name, pipeline, table, flow uuid), ...)

    def __str__(self):
        if self.kind == "drop":
            return "drop (%s)" % self.reason
        s = "output to %s" % self.port
        if self.chassis:
            s += " on chassis %s" % self.chassis
        return s


@dataclass
class TraceResult:
    root: Node
    verdicts: list
    flow_text: str = ""
    ct_log: list = field(default_factory=list)   # [(action, ct_state)] in order


class _DpContext(Context):
    def __init__(self, view, dp, chassis):
        super().__init__()
        self.view, self.dp, self.chassis = view, dp, chassis

    def lookup_address_set(self, name):
        return self.view.address_sets.get(name)

    def lookup_port_group(self, name):
        g = self.view.port_groups.get("%d_%s" % (self.dp.key, name))
        return g if g is not None else self.view.port_groups.get(name)

    def lookup_template(self, name):
        return self.view.templates.get(self.chassis, {}).get(name)

    def lookup_port(self, name):
        return self.view.port_keys(self.dp).get(name)

    def is_chassis_resident(self, name):
        # Like ovn-trace: the trace is not chassis-specific, so any known
        # port counts as resident.
        return name in self.view.ports


_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')


def _is_data_field(ovs):
    return not (ovs.startswith(("reg", "xreg", "xxreg", "ct_", "ovn:", "metadata",
                                "pkt_mark", "in_port", "tun")))


class Tracer:
    def __init__(self, view, ct_flags=(), lb_dst=None, select_id=None,
                 friendly=True):
        self.view = view
        self.ct_flags = [parse_ct_flags(f) for f in ct_flags]
        self.lb_dst = lb_dst
        self.select_id = select_id
        self.friendly = friendly
        self._ct_index = 0
        self._exprs = {}
        self._by_ovs = None
        self._notes = []
        self.ct_log = []
        self.verdicts = []

    # -- names -----------------------------------------------------------------
    def pname(self, name):
        p = self.view.port(name)
        return p.display(self.friendly) if p is not None else name

    def dpname(self, dp):
        return dp.display(self.friendly)

    def friendly_text(self, text):
        """TEXT with quoted logical port names shown as pname() does."""
        if not self.friendly:
            return text

        def sub(m):
            p = self.view.port(m.group(1))
            return '"%s"' % p.display(True) if p is not None else m.group(0)
        return _QUOTED.sub(sub, text)

    def _header(self, kind, dp, mf):
        s = '%s(dp="%s", inport="%s"' % (kind, self.dpname(dp),
                                         self.pname(mf.strings.get("inport", "")))
        if kind == "egress":
            s += ', outport="%s"' % self.pname(mf.strings.get("outport", ""))
        return s + ")"

    # -- entry -----------------------------------------------------------------
    def trace(self, dp, mf):
        if sys.getrecursionlimit() < 20000:
            sys.setrecursionlimit(20000)
        self.verdicts = []
        self._ct_index = 0
        self._n_flows = 0
        self.ct_log = []
        root = Node("root")
        inport = self.view.port(mf.strings.get("inport", ""))
        chassis = inport.chassis if inport is not None else ""
        st = _State(chassis=chassis, changes=[], path=[])
        self._pipeline(dp, "ingress", mf, root, st, 0)
        return TraceResult(root, list(self.verdicts), ct_log=list(self.ct_log))

    # -- pipelines -------------------------------------------------------------
    def _pipeline(self, dp, pipeline, mf, parent, st, depth):
        if pipeline == "egress":
            # The logical registers do not survive the trip from ingress to
            # egress (it may cross a tunnel); ports and flags do.
            for reg in ("xxreg0", "xxreg1", "xreg4"):
                dict.pop(mf.ints, reg, None)
        node = parent.add("pipeline", self._header(pipeline, dp, mf),
                          dp=dp.name, pipeline=pipeline, chassis=st.chassis)
        self._table(dp, pipeline, 0, mf, node, st, depth + 1)

    def _context(self, dp, st):
        return _DpContext(self.view, dp, st.chassis)

    def _expr(self, match, dp, ctx):
        key = (match, dp.uuid)
        e = self._exprs.get(key)
        if e is None:
            try:
                e = lang.annotate_expr(match, ctx)
            except LangError as err:
                e = err
            self._exprs[key] = e
        return e

    def _table(self, dp, pipeline, table, mf, node, st, depth):
        self._n_flows += 1
        if depth > MAX_DEPTH or self._n_flows > MAX_FLOWS:
            node.add("drop", "/* too many nested lookups: loop? */")
            self._verdict_drop("loop detected", st)
            return
        ctx = self._context(dp, st)
        flows = self.view.table(dp, pipeline, table)
        if not flows and table >= self.view.n_tables(dp, pipeline):
            # Past the last stage: ingress ends in output, egress ends too.
            node.add("comment", "/* no table %d in %s pipeline */" % (table, pipeline))
            self._verdict_drop("no %s table %d" % (pipeline, table), st)
            return
        for f in flows:
            e = self._expr(f.match, dp, ctx)
            if isinstance(e, LangError):
                continue
            if evaluate(e, mf, ctx):
                self._run_flow(dp, f, mf, node, st, depth, ctx)
                return
        node.add("drop", "%d. %s: no match (implicit drop)"
                 % (table, self._stage_name(dp, pipeline, table)),
                 table=table)
        self._verdict_drop("no flow matched in %s table %d (%s)" % (
            pipeline, table, self._stage_name(dp, pipeline, table)), st)

    def _stage_name(self, dp, pipeline, table):
        for f in self.view.table(dp, pipeline, table):
            if f.stage:
                return f.stage
        return "%s table %d" % (pipeline, table)

    def _run_flow(self, dp, f, mf, node, st, depth, ctx):
        trivial = f.match.strip() == "1" and f.actions.strip() in ("next;", "next")
        fnode = node.add("flow", self.friendly_text(f.match), table=f.table,
                         stage=f.stage, priority=f.priority, uuid=f.uuid,
                         source=f.source, pipeline=f.pipeline, dp=dp.name,
                         dp_key=dp.key, trivial=trivial)
        st.path.append((dp.name, f.pipeline, f.table, f.uuid))
        try:
            pa = parse_actions(f.actions, context=ParseContext(
                pipeline=f.pipeline, table_id=f.table))
        except LangError as e:
            fnode.add("drop", "/* actions do not parse: %s */" % e)
            self._verdict_drop("unparsable actions in flow %s" % f.uuid[:8], st)
            return
        if not pa.actions:
            fnode.add("action", "drop;")
            self._flow_drop(fnode, mf, st, "drop action")
            return
        if not self._actions(dp, f.pipeline, f.table, pa.actions, mf, fnode, node, st,
                             depth, ctx):
            # Actions that neither continue nor output end the packet.
            self._flow_drop(fnode, mf, st, "no next or output")

    def _flow_drop(self, fnode, mf, st, how):
        """Records a drop by the flow of FNODE, with the stage's reason."""
        info = fnode.info
        stage = info.get("stage", "")
        if fnode.kind != "flow":
            reason = how
        else:
            fl = self.view.all_flows.get(info["uuid"], (None,))[0]
            hint = " (northbound %s)" % fl.stage_hint if fl and fl.stage_hint else ""
            why = STAGE_DROP_REASONS.get(stage)
            what = (why % {"inport": self.pname(mf.strings.get("inport", "")),
                           "outport": self.pname(mf.strings.get("outport", "")),
                           "hint": hint}
                    if why else "%s in %s" % (how, stage or "table %d" % info["table"]))
            reason = "%s; flow %s, priority %d" % (what, info["uuid"][:8],
                                                     info["priority"])
        fnode.add("comment", "/* drop: %s */" % reason, remark=True)
        self._verdict_drop(reason, st)

    # -- actions -----------------------------------------------------------------
    def _actions(self, dp, pipeline, table, actions, mf, fnode, container, st,
                 depth, ctx):
        """Runs ACTIONS; FNODE gets their lines; CONTAINER gets the tables a
        tail `next` leads to (so long chains do not indent)."""
        keys = self.view.port_keys(dp)
        keys.setdefault("none", 0)      # a port register holding 0 is "none"
        it = Interpreter(mf, keys, pipeline, table, self._lookup(dp, st))
        n = len(actions)
        moved = False
        for i, a in enumerate(actions):
            last = i == n - 1
            text = self.friendly_text(str(a))
            if isinstance(a, act_ctl.Next):
                fnode.add("action", text)
                target = container if (last and container is not None) else fnode
                self._table(dp, a.pipeline, a.table, mf, target, st, depth)
                moved = True
                continue
            if isinstance(a, act_ctl.Output):
                fnode.add("action", text)
                self._output(dp, pipeline, mf, fnode, st, depth)
                moved = True
                continue
            if isinstance(a, act_ctl.Drop):
                fnode.add("action", text)
                self._flow_drop(fnode, mf, st, "drop action")
                return True
            if isinstance(a, (act_ct.CtNext, act_ct.CtCommitNat, act_ct._CtNatBase,
                              act_ct._CtLbBase)):
                self._conntrack(dp, a, mf, fnode, st, depth, ctx, it)
                return True
            if isinstance(a, (act_ctl.Clone, act_pkt._Nested)):
                # The action line, then what the copy (clone) or the packet
                # the action generates (arp, icmp4, ...) goes through.
                fnode.add("action", text)
                b = fnode.add("branch", a.names[0], nested=True)
                sub = mf.copy()
                if not isinstance(a, act_ctl.Clone):
                    _generate(a.names[0], sub)
                self._actions(dp, pipeline, table, a.actions, sub, b, b,
                              st.fork(), depth + 1, ctx)
                continue
            self._notes = []
            start = len(it.effects)
            it.stopped = False
            it.run([a])
            line = fnode.add("action", text)
            for note in self._notes:
                fnode.add("comment", note)
            self._notes = []
            changes = self._data_lines(a, it, mf)
            if changes:
                line.info["data"] = changes
                st.changes.extend(changes)
            for e in it.effects[start:]:
                if e.kind == "drop":
                    self._verdict_drop("drop action", st)
                    return True
                if e.kind == "lookup":
                    line.info.setdefault("lookups", []).append(e)
                    if e.args.get("name") in MINIMAL_LOOKUPS and hasattr(a, "dst"):
                        # ovn-trace's minimal form lists these results.
                        line.info.setdefault("data", []).append(
                            "%s = %d;" % (a.dst.format(), it.get(a.dst.ovs)))
        return moved

    def _data_lines(self, a, it, mf):
        """What action A did to packet data, reduced to constants
        (`ip4.dst = 10.0.0.3;`), in the action's order; register and
        metadata writes are left out."""
        def is_data(f):
            return (not f.string and not f.ovn_only and f.ovs is not None
                    and _is_data_field(f.ovs.field))

        def fmt(f):
            sym = mf.symtab.lookup(f.name)
            return "hex" if (sym is None or f.sliced) else sym.fmt

        if isinstance(a, act_assign.DecTtl):
            return ["ip.ttl--;"]
        if isinstance(a, (act_nb.GetArp, act_nb.GetNd)):
            return ["eth.dst = %s;" % mac_text(mf.get("eth.dst"))]
        if isinstance(a, act_assign.Load) and is_data(a.dst):
            return ["%s = %s;" % (a.dst.format(),
                                  format_value(it.get(a.dst.ovs), fmt(a.dst)))]
        if isinstance(a, act_assign.Move) and is_data(a.dst):
            return ["%s = %s;" % (a.dst.format(),
                                  format_value(it.get(a.dst.ovs), fmt(a.src)))]
        if isinstance(a, act_assign.Exchange):
            return ["%s = %s;" % (f.format(), format_value(it.get(f.ovs), fmt(f)))
                    for f in (a.a, a.b) if is_data(f)]
        return []

    def _changes(self, before, mf):
        if self._by_ovs is None:
            self._by_ovs = {}
            for sym in mf.symtab:
                if sym.kind == "field" and sym.ovs_field not in self._by_ovs:
                    self._by_ovs[sym.ovs_field] = sym
        out = []
        for k, v in mf.ints.items():
            if not _is_data_field(k) or before.get(k, 0) == v:
                continue
            sym = self._by_ovs.get(k)
            if sym is None:
                out.append("%s = %#x;" % (k, v))
            elif sym.name == "ip.ttl" and before.get(k, 0) == v + 1:
                out.append("ip.ttl--;")
            else:
                out.append("%s = %s;" % (sym.name, format_value(v, sym.fmt)))
        return out

    def _next_ct(self):
        if self._ct_index < len(self.ct_flags):
            bits = self.ct_flags[self._ct_index]
            self._ct_index += 1
            return bits, False
        return (1 << CT_BITS["trk"]) | (1 << CT_BITS["est"]), True

    def _conntrack(self, dp, a, mf, fnode, st, depth, ctx, it):
        name = a.names[0]
        n_changes = len(st.changes)
        fnode.add("action", self.friendly_text(str(a)))
        if isinstance(a, act_ct._CtNatBase):
            # ovn-trace(8): ct_dnat/ct_snat without an address leave the
            # packet unchanged (no NAT state known); with one they NAT.
            # Each is a conntrack recirculation in the datapath, so each
            # takes the next --ct flags.  Labels as ovn-trace 23.03 prints
            # them ("ct_Xnatin_czone"; only an un-SNAT lookup is marked
            # as using the default).
            kind = "dnat" if a.nat_kind == "dst" else "snat"
            bits, default = self._next_ct()
            dflt = (" /* default (use --ct to customize) */"
                    if default and kind == "snat" and not a.ip else "")
            label = ("ct_%sin_czone" % kind) if a.czone else "ct_" + kind
            if a.ip:
                field = ("ip4." if ":" not in a.ip else "ip6.") + a.nat_kind
                mf.set(field, int(ipaddress.ip_address(a.ip)))
                st.changes.append("%s = %s;" % (field, a.ip))
                if a.port_lo is not None and _l4(mf):
                    l4 = _l4(mf) + (".dst" if a.nat_kind == "dst" else ".src")
                    mf.set(l4, a.port_lo)
                    st.changes.append("%s = %d;" % (l4, a.port_lo))
                bits |= 1 << CT_BITS[kind]
                label += "(%s=%s)" % (field, a.ip)
            elif kind == "snat" and dp.is_gateway_router and not a.czone:
                label += " /* no-op on a gateway router */"
            else:
                label += " /* assuming no un-%s entry, so no change */" % kind
            label += dflt
            mf.set("ct_state", bits)
        else:
            bits, default = self._next_ct()
            dflt = " /* default (use --ct to customize) */" if default else ""
            if isinstance(a, act_ct._CtLbBase):
                backend = None
                if a.backends:
                    backend = self._choose_backend([b.format() for b in a.backends])
                elif self.lb_dst:
                    backend = self.lb_dst
                if backend:
                    before = dict(mf.ints)
                    _apply_backend(mf, backend)
                    st.changes.extend(self._changes(before, mf))
                    bits |= 1 << CT_BITS["dnat"]
            mf.set("ct_state", bits)
            if name == "ct_next":
                label = "ct_next(ct_state=%s%s)" % (format_ct_state(bits), dflt)
            else:
                label = name + dflt
        self.ct_log.append((name, bits))
        b = fnode.add("branch", label, ct=name)
        if len(st.changes) > n_changes:
            b.info["data"] = st.changes[n_changes:]
        self._table(dp, a.pipeline, a.table, mf, b, st, depth + 1)

    def _choose_backend(self, choices):
        if self.lb_dst:
            for c in choices:
                if c == self.lb_dst or c.split(":")[0] == self.lb_dst \
                        or c.strip("[]").startswith(self.lb_dst):
                    return c
        return choices[0]

    # -- output ------------------------------------------------------------------
    def _output(self, dp, pipeline, mf, fnode, st, depth):
        outport = mf.strings.get("outport", "")
        inport = mf.strings.get("inport", "")
        loopback = mf.get("flags.loopback")
        if pipeline == "ingress":
            group = dp.mcgroups.get(outport)
            if group is not None:
                b = fnode.add("branch", 'multicast(dp="%s", mcgroup="%s")'
                              % (self.dpname(dp), outport), mcgroup=outport)
                for member in group.ports:
                    sub = mf.copy()
                    sub.strings["outport"] = member
                    if member == inport and not loopback:
                        skip = b.add("pipeline", self._header("egress", dp, sub),
                                     dp=dp.name, pipeline="egress",
                                     chassis=st.chassis, skipped=True)
                        skip.add("comment", "/* omitting output because inport == "
                                 "outport && !flags.loopback */", stmt=True)
                        continue
                    self._pipeline(dp, "egress", sub, b, st.fork(), depth + 1)
                return
            port = dp.ports.get(outport)
            if port is None:
                fnode.add("drop", '/* output to unknown port "%s" */' % outport)
                self._verdict_drop('unknown output port "%s"' % outport, st)
                return
            if outport == inport and not loopback:
                fnode.add("drop", "/* omitting output because inport == outport "
                          "&& !flags.loopback */")
                self._verdict_drop("inport == outport", st)
                return
            if port.type == "chassisredirect":
                dist = port.options.get("distributed-port", "")
                fnode.add("comment", '/* Replacing type "chassisredirect" outport '
                          '"%s" with distributed port "%s". */' % (outport, dist),
                          stmt=True)
                if port.chassis and st.chassis and port.chassis != st.chassis:
                    fnode.add("comment", '/* tunnel hop from chassis "%s" to '
                              'gateway chassis "%s" */' % (st.chassis, port.chassis))
                if port.chassis:
                    st.chassis = port.chassis
                mf.strings["outport"] = dist
            self._pipeline(dp, "egress", mf.copy(), fnode, st, depth + 1)
            return
        # egress: the packet leaves the datapath through OUTPORT.
        port = dp.ports.get(outport)
        if port is None:
            fnode.add("drop", '/* output to unknown port "%s" */' % outport)
            self._verdict_drop('unknown output port "%s"' % outport, st)
            return
        fnode.add("comment", '/* output to "%s", type "%s" */'
                  % (self.pname(outport), port.type), stmt=True)
        if port.type == "patch" or (port.type == "l3gateway" and port.peer):
            peer = self.view.port(port.peer)
            if peer is None:
                fnode.add("drop", '/* patch port "%s" has no peer */' % outport)
                self._verdict_drop('patch port "%s" has no peer' % outport, st)
                return
            new = _enter_datapath(mf, peer.name)
            if peer.type == "l3gateway" and peer.chassis:
                if st.chassis and st.chassis != peer.chassis:
                    fnode.add("comment", '/* tunnel hop from chassis "%s" to '
                              'gateway chassis "%s" */' % (st.chassis, peer.chassis))
                st.chassis = peer.chassis
            self._pipeline(peer.dp, "ingress", new, fnode, st, depth + 1)
            return
        hop = ""
        if port.chassis and st.chassis and port.chassis != st.chassis:
            hop = st.chassis
            fnode.add("comment", '/* tunnel hop from chassis "%s" to chassis "%s" */'
                      % (st.chassis, port.chassis))
        elif port.chassis:
            fnode.add("comment", '/* "%s" is bound to chassis "%s" */'
                      % (self.pname(outport), port.chassis))
        elif port.type in ("", "virtual", "external"):
            fnode.add("comment", '/* "%s" is not bound to any chassis */'
                      % self.pname(outport))
        self.verdicts.append(Verdict("output", outport, dp.name, port.chassis, hop,
                                     changes=tuple(st.changes), path=tuple(st.path)))
        fnode.info["final_output"] = outport
        fnode.info["final_output_name"] = self.pname(outport)

    def _verdict_drop(self, reason, st):
        self.verdicts.append(Verdict("drop", reason=reason, changes=tuple(st.changes),
                                     path=tuple(st.path)))

    # -- helper tables -----------------------------------------------------------------
    def _lookup(self, dp, st):
        view = self.view

        def name_of(key):
            if isinstance(key, str):
                return key
            p = view.port_by_key(dp, key)
            return p.name if p is not None else ""

        def ip_of(v):
            return str(ipaddress.ip_address(v)) if v < (1 << 32) else \
                str(ipaddress.IPv6Address(v))

        def answer(name, args, it):
            mf = it.flow
            if name == "mac_binding":
                mac = view.mac_binding(name_of(args["port"]), ip_of(args["ip"]))
                self._notes.append("/* MAC binding to %s. */" % mac if mac
                                   else "/* No MAC binding. */")
                return int(mac.replace(":", ""), 16) if mac else None
            if name in ("lookup_arp", "lookup_nd"):
                mac = view.mac_binding(name_of(args["port"]), ip_of(args["ip"]))
                if not mac:
                    self._notes.append("/* lookup failed - No MAC binding. */")
                    return False
                if mac.lower() != mac_text(args["mac"]):
                    self._notes.append("/* lookup failed - MAC binding for %s is %s. */"
                                       % (ip_of(args["ip"]), mac))
                    return False
                return True
            if name in ("lookup_arp_ip", "lookup_nd_ip"):
                return view.mac_binding(name_of(args["port"]), ip_of(args["ip"])) \
                    is not None
            if name == "get_fdb":
                return view.fdb.get((dp.key, args["mac"]))
            if name == "lookup_fdb":
                return view.fdb.get((dp.key, args["mac"])) == args["port"]
            if name == "check_in_port_sec":
                p = view.port(mf.strings.get("inport", ""))
                return p is not None and portsec.fails_in(p, mf)
            if name == "check_out_port_sec":
                p = view.port(mf.strings.get("outport", ""))
                return p is not None and portsec.fails_out(p, mf)
            if name == "select":
                vals = args.get("values", [])
                if self.select_id is not None and self.select_id in vals:
                    return self.select_id
                return vals[0] if vals else None
            if name == "ct_lb":
                return self._choose_backend(args["backends"])
            if name == "fwd_group":
                return args["ports"][0] if args.get("ports") else None
            if name in ("put_dhcp_opts", "put_dhcpv6_opts", "put_nd_ra_opts"):
                return True
            return None
        return answer


class _State:
    """Per-branch state: the chassis the packet is on, the data rewrites
    and the flows visited so far."""

    def __init__(self, chassis="", changes=None, path=None):
        self.chassis = chassis
        self.changes = changes if changes is not None else []
        self.path = path if path is not None else []

    def fork(self):
        return _State(self.chassis, list(self.changes), list(self.path))


def _l4(mf):
    proto = mf.get("ip.proto")
    return {6: "tcp", 17: "udp", 132: "sctp"}.get(proto)


def _apply_backend(mf, backend):
    """Sets the destination to BACKEND ("ip", "ip:port", "[ip6]:port")."""
    text = backend.strip()
    port = None
    if text.startswith("["):
        ip, _, rest = text[1:].partition("]")
        if rest.startswith(":"):
            port = int(rest[1:])
    elif text.count(":") == 1:
        ip, port = text.split(":")
        port = int(port)
    else:
        ip = text
    addr = ipaddress.ip_address(ip)
    mf.set("ip4.dst" if addr.version == 4 else "ip6.dst", int(addr))
    if port is not None and _l4(mf):
        mf.set(_l4(mf) + ".dst", port)


def _enter_datapath(mf, inport):
    """The packet as the peer datapath's ingress sees it: registers,
    logical flags and conntrack state cleared, new inport."""
    new = mf.copy()
    for k in list(new.ints):
        if not _is_data_field(k):
            dict.pop(new.ints, k, None)
    new.strings = {"inport": inport}
    return new


def _generate(name, mf):
    """The packet an action like arp { } or icmp4 { } starts from
    (ovn-sb(5)): the nested actions then change what they need."""
    if name == "arp":
        spa, tpa = mf.get("ip4.src"), mf.get("ip4.dst")
        mf.set("eth.type", 0x806)
        mf.set("arp.op", 1)
        mf.set("arp.sha", mf.get("eth.src"))
        mf.set("arp.spa", spa)
        mf.set("arp.tha", 0)
        mf.set("arp.tpa", tpa)
    elif name in ("icmp4", "icmp4_error"):
        mf.set("ip.proto", 1)
        mf.set("icmp4.type", 3)
        mf.set("icmp4.code", 1)
    elif name in ("icmp6", "icmp6_error"):
        mf.set("ip.proto", 58)
        mf.set("icmp6.type", 1)
        mf.set("icmp6.code", 0)
