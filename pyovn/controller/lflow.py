"""Logical flows to OpenFlow (ovn-architecture(7) step 2 and 4), plus the
tables the controller fills from other southbound tables: MAC_Binding /
Static_MAC_Binding (66, 67) and FDB (71, 72).

Only datapaths local to the chassis are translated.  A logical flow whose
match or actions do not parse or encode is logged once (with its UUID) and
skipped; when it is an ACL flow that drops or rejects, its datapath fails
closed: a drop at the highest priority covers that datapath in the
flow's OpenFlow table, so nothing the ACL should have stopped gets
through."""

import ipaddress

from pyovn.lang import LangError
from pyovn.lang.actions import (EncodeContext, ParseContext, encode_actions,
                                parse_actions)
from pyovn.lang.actions.context import GroupTable, MeterTable
from pyovn.lang.context import Context
from pyovn.lang.matches import to_matches
from pyovn.lang.annotate import annotate
from pyovn.lang.parse import parse
from pyovn.db.idl import value
from pyovn.openflow import layout as L
from pyovn.openflow.model import (Conjunction, Flow, Group, Match, MeterBand, MeterMod,
                                  SetField)

FAIL_CLOSED_PRIORITY = 65535
ACL_STAGE_WORDS = ("acl",)


class DpContext(Context):
    """The language's view of one datapath on this chassis."""

    def __init__(self, dp, ports, address_sets, port_groups, templates, resident,
                 remote_vifs=frozenset()):
        super().__init__(address_sets=address_sets, templates=templates,
                         ports=ports, resident=resident)
        self.dp = dp
        self._pgs = port_groups          # (name) -> members (already per dp)
        self.remote_vifs = remote_vifs

    def lookup_port_group(self, name):
        return self._pgs(self.dp, name)

    def lookup_port(self, name):
        """In matches, a VIF bound to another chassis cannot be the port a
        packet is processed for here (as in ovn-controller, no flows are
        installed for it); actions use all_ports()."""
        if name in self.remote_vifs:
            return None
        return self.ports.get(name)

    def lookup_any_port(self, name):
        return self.ports.get(name)


class LflowRow:
    """The columns of a Logical_Flow row the translation reads, as plain
    Python values."""
    __slots__ = ("uuid", "dps", "tag", "pipeline", "table_id", "priority", "match",
                 "actions", "controller_meter", "external_ids")

    @classmethod
    def of(cls, r):
        x = cls()
        x.uuid = r.uuid
        d = value(r, "logical_datapath")
        if d is not None:
            x.dps = (d.uuid,)
        else:
            g = value(r, "logical_dp_group")
            x.dps = tuple(dp.uuid for dp in g.datapaths) if g is not None else ()
        x.tag = r.tags.get("in_out_port")
        x.pipeline = r.pipeline
        x.table_id = r.table_id
        x.priority = r.priority
        x.match = r.match
        x.actions = r.actions
        x.controller_meter = value(r, "controller_meter")
        x.external_ids = dict(r.external_ids)
        return x


def cookie_of(uuid):
    return uuid.int >> 96


def is_drop_acl(lf):
    """An ACL flow that drops or rejects: failing it must fail closed."""
    stage = lf.external_ids.get("stage-name", "")
    acts = lf.actions.replace(" ", "")
    if not any(w in stage for w in ACL_STAGE_WORDS):
        return False
    return ("drop;" in acts or acts.startswith("reject") or ";reject" in acts
            or acts == "drop" or "reject{" in acts)


class Translator:
    """Keeps what must be stable across recomputes (conjunction ids) and
    what is logged once (bad flows)."""

    def __init__(self, log):
        self.log = log
        self.logged = set()
        self.conj = {}            # (lflow uuid, dp uuid) -> (base, n)
        self.next_conj = 1
        self.failed_closed = {}   # dp uuid -> set of tables

    def _warn_once(self, key, text):
        if key not in self.logged:
            self.logged.add(key)
            self.log(text)

    def _conj_base(self, key, need):
        cur = self.conj.get(key)
        if cur and cur[1] >= need:
            return cur[0]
        base = self.next_conj
        self.next_conj += max(need, 1)
        self.conj[key] = (base, max(need, 1))
        return base

    def build(self, sb, st, chassis_name, features=None):
        """Returns (flows, groups, meters).  Translations are cached per
        (logical flow, datapath) and reused while the flow's text and
        everything its translation depends on (the datapath's ports, the
        resident ports, address sets, port groups, templates, meters) are
        unchanged; a change to one of those recomputes what it affects."""
        features = features or {}
        flows = {}
        errors_closed = {}
        local = st.local_dps
        # --- per-datapath lookup tables --------------------------------------
        dp_ports = {u: {} for u in local}
        for p in st.ports.values():
            if p.dp.uuid in dp_ports:
                dp_ports[p.dp.uuid][p.name] = p.key
        for mg in sb.rows("Multicast_Group"):
            dp = value(mg, "datapath")
            if dp is not None and dp.uuid in dp_ports:
                dp_ports[dp.uuid][mg.name] = mg.tunnel_key
        address_sets = {a.name: list(a.addresses) for a in sb.rows("Address_Set")}
        pgs = {g.name: list(g.ports) for g in sb.rows("Port_Group")}
        resident = set(st.resident)
        local_ports = frozenset(n for n, p in st.ports.items() if p.local)

        def port_group(dp, name):
            members = pgs.get("%d_%s" % (dp.tunnel_key, name))
            if members is None:
                members = pgs.get(name)
            if members is None:
                return None
            return [m for m in members if m in resident or
                    (m in st.ports and st.ports[m].dp.uuid == dp.uuid
                     and st.ports[m].local)]
        templates = {}
        if "Chassis_Template_Var" in sb.tables:
            for t in sb.rows("Chassis_Template_Var"):
                if t.chassis == chassis_name:
                    templates.update(t.variables)
        meter_rows = []
        for mt in sorted(sb.rows("Meter"), key=lambda r: r.name):
            meter_rows.append((mt.name, mt.unit,
                               tuple((b.rate, b.burst_size) for b in mt.bands)))
        global_sig = hash((tuple(meter_rows), frozenset(features.items())))
        # What a flow's translation may depend on besides its own text and
        # its datapath's ports, keyed by the syntax that uses it.
        as_sig = hash(frozenset((n, tuple(a)) for n, a in address_sets.items()))
        pg_sig = hash((frozenset((n, tuple(m)) for n, m in pgs.items()),
                       frozenset(resident), local_ports))
        res_sig = hash(frozenset(resident))
        tmpl_sig = hash(frozenset(templates.items()))

        def extra_sig(lf):
            m = lf.match
            return (as_sig if "$" in m else None,
                    pg_sig if "@" in m else None,
                    res_sig if "is_chassis_resident" in m else None,
                    tmpl_sig if "^" in m or "^" in lf.actions else None,
                    vif_sig if '"' in m else None)
        if global_sig != getattr(self, "_global_sig", None):
            self._global_sig = global_sig
            self._cache = {}
            self._groups = GroupTable()
            meter_names, meters = {}, {}
            nid = 1
            for name, unit, bands in meter_rows:
                meter_names[name] = nid
                meters[nid] = MeterMod(nid, unit, burst=any(b for _, b in bands), stats=True,
                                       bands=tuple(MeterBand("drop", r, b) for r, b in bands))
                nid += 1
            self._named_meters = meters
            self._meter_table = MeterTable(first_id=nid, named=meter_names)
        groups = self._groups
        meter_table = self._meter_table
        meter_names = meter_table.named
        dp_sig = {u: hash(frozenset(dp_ports[u].items())) for u in local}
        remote_vifs = frozenset(n for n, p in st.ports.items()
                                if p.type in ("", "virtual") and not p.ofport
                                and n not in st.claims)
        ctxs = {u: DpContext(local[u], dp_ports[u], address_sets, port_group,
                             templates, resident, remote_vifs) for u in local}
        vif_sig = hash(remote_vifs)
        new_cache = {}
        for lf in self._flow_rows(sb):
            dps = [local[u] for u in lf.dps if u in local]
            if not dps:
                continue
            tag = lf.tag
            if tag and tag not in st.related:
                continue
            pipeline = lf.pipeline
            table = (L.ingress_table(lf.table_id) if pipeline == "ingress"
                     else L.egress_table(lf.table_id))
            ctrl_meter = lf.controller_meter
            text_sig = (lf.match, lf.actions, lf.priority, lf.table_id, pipeline, ctrl_meter,
                        extra_sig(lf))
            pa = None
            for dp in dps:
                key = (lf.uuid, dp.uuid)
                sig = (text_sig, dp_sig[dp.uuid])
                hit = self._cache.get(key)
                if hit is not None and hit[0] == sig:
                    new_cache[key] = hit
                    self._merge(flows, hit[1])
                    continue
                if pa is None:
                    try:
                        pa = parse_actions(lf.actions, context=ParseContext(
                            pipeline=pipeline, table_id=lf.table_id,
                            templates=templates or None))
                    except LangError as e:
                        self._fail(lf, dps, table, "actions", e, errors_closed)
                        break
                out = self._translate(lf, dp, pa, table, ctxs[dp.uuid], st, groups,
                                      meter_table, meter_names, ctrl_meter, features,
                                      errors_closed)
                if out is None:
                    continue
                new_cache[key] = (sig, out)
                self._merge(flows, out)
        self._cache = new_cache
        for dpu, tables in errors_closed.items():
            dp = local[dpu]
            for t in tables:
                f = Flow(t, FAIL_CLOSED_PRIORITY, Match.of(metadata=dp.tunnel_key))
                flows[f.key] = f
        self.failed_closed = errors_closed
        out = list(flows.values())
        used_groups = set()
        for f in out:
            _collect_groups(f.actions, used_groups)
        out += neighbor_flows(sb, st)
        out += fdb_flows(sb, st)
        all_meters = dict(self._named_meters)
        all_meters.update(meter_table.meters)
        return (out, [g for gid, g in groups.groups.items() if gid in used_groups],
                list(all_meters.values()))

    def _flow_rows(self, sb):
        """LflowRow for every Logical_Flow, kept current from the IDL's
        change tracking (reading python-ovs rows is the slow part of a
        recompute otherwise)."""
        if getattr(self, "_rows_sb", None) is not sb:
            self._rows_sb = sb
            sb.take_changes()
            self._rows = {r.uuid: LflowRow.of(r) for r in sb.rows("Logical_Flow")}
            return self._rows.values()
        ch = sb.take_changes()
        if "Logical_DP_Group" in ch.tables:
            self._rows = {r.uuid: LflowRow.of(r) for r in sb.rows("Logical_Flow")}
            return self._rows.values()
        for r in ch.deleted("Logical_Flow"):
            self._rows.pop(r.uuid, None)
        for r in ch.inserted("Logical_Flow") + ch.updated("Logical_Flow"):
            self._rows[r.uuid] = LflowRow.of(r)
        return self._rows.values()

    @staticmethod
    def _merge(flows, new):
        for f in new:
            old = flows.get(f.key)
            if old is not None and old != f:
                if f.cookie == 0 and all(isinstance(a, Conjunction) for a in f.actions) \
                        and all(isinstance(a, Conjunction) for a in old.actions):
                    acts = old.actions + tuple(a for a in f.actions if a not in old.actions)
                    f = Flow(f.table, f.priority, f.match, acts, cookie=0)
                else:
                    continue
            flows[f.key] = f

    def _translate(self, lf, dp, pa, table, ctx, st, groups, meter_table, meter_names,
                   ctrl_meter, features, errors_closed):
        cookie = cookie_of(lf.uuid)
        text = lf.match
        if pa.prereqs:
            text = "(%s) && (%s)" % (text, pa.prereqs)
        ec = EncodeContext(
            pipeline=lf.pipeline, table_id=lf.table_id,
            lookup_port=ctx.lookup_any_port,
            ofports={p: st.ports[p].ofport for p in ctx.ports
                     if p in st.ports and st.ports[p].ofport},
            is_switch="logical-switch" in dp.external_ids
            or "logical-router" not in dp.external_ids,
            dp_key=dp.tunnel_key, lflow_cookie=cookie, groups=groups,
            meters=meter_table,
            ctrl_meter_id=meter_names.get(ctrl_meter) if ctrl_meter else None,
            ct_zero_snat=features.get("ct_zero_snat", True),
            dp_hash_l4_sym=features.get("dp_hash_l4_sym", True))
        try:
            actions = tuple(encode_actions(pa, ec))
            expr = annotate(parse(text, None, ctx.lookup_template), None, ctx)
            key = (lf.uuid, dp.uuid)
            base = self.conj.get(key, (self.next_conj, 0))[0]
            matches, n = to_matches(expr, ctx, conj_id_base=base)
            if n:
                nb = self._conj_base(key, n)
                if nb != base:
                    matches, n = to_matches(expr, ctx, conj_id_base=nb)
        except LangError as e:
            self._fail(lf, [dp], table, "match or actions", e, errors_closed)
            return None
        out = []
        for fm in matches:
            try:
                m = fm.match.with_field(L.LOG_DATAPATH, dp.tunnel_key)
            except ValueError:
                continue
            if fm.conjunctions:
                acts = tuple(Conjunction(i, k, nn) for i, k, nn in fm.conjunctions)
                out.append(Flow(table, lf.priority, m, acts, cookie=0))
            else:
                out.append(Flow(table, lf.priority, m, actions, cookie=cookie))
        return out

    def _fail(self, lf, dps, table, what, err, errors_closed):
        closed = is_drop_acl(lf)
        self._warn_once(lf.uuid, "logical flow %s (%s table %d, priority %d): bad %s: %s; "
                        "skipped%s" % (lf.uuid, lf.pipeline, lf.table_id, lf.priority,
                                       what, err,
                                       ", datapath fails closed" if closed else ""))
        if closed:
            for dp in dps:
                errors_closed.setdefault(dp.uuid, set()).add(table)


def _collect_groups(actions, out):
    for a in actions:
        if isinstance(a, Group):
            out.add(a.group_id)
        inner = getattr(a, "actions", None)
        if isinstance(inner, tuple):
            _collect_groups(inner, out)


def _ip_match(m, ip):
    a = ipaddress.ip_address(ip)
    if a.version == 4:
        return m.with_field("reg0", int(a))
    return m.with_field("xxreg0", int(a))


def _mac(text):
    return int(text.replace(":", ""), 16)


def _neighbor(dp, pkey, ip, mac, prio):
    out = []
    try:
        m66 = _ip_match(Match.of(metadata=dp.tunnel_key, reg15=pkey), ip)
        m67 = _ip_match(Match.of(metadata=dp.tunnel_key, reg14=pkey, eth_src=_mac(mac)), ip)
    except ValueError:
        return out
    out.append(Flow(L.MAC_BINDING, prio, m66, (SetField("eth_dst", _mac(mac)),)))
    out.append(Flow(L.MAC_LOOKUP, prio, m67,
                    (SetField(L.LOG_FLAGS, L.MLF_LOOKUP_MAC, L.MLF_LOOKUP_MAC),)))
    return out


def neighbor_flows(sb, st):
    out = {}
    for tbl, prio in (("Static_MAC_Binding", 50), ("MAC_Binding", 100)):
        if tbl not in sb.tables:
            continue
        for mb in sb.rows(tbl):
            dp = value(mb, "datapath")
            p = st.ports.get(mb.logical_port)
            if dp is None or dp.uuid not in st.local_dps or p is None:
                continue
            for f in _neighbor(dp, p.key, mb.ip, mb.mac, prio):
                out[f.key] = f
    return list(out.values())


def fdb_flows(sb, st):
    out = {}
    by_key = {}
    for p in st.ports.values():
        by_key[(p.dp.tunnel_key, p.key)] = p
    local_keys = {d.tunnel_key for d in st.local_dps.values()}
    for e in sb.rows("FDB"):
        if e.dp_key not in local_keys:
            continue
        try:
            mac = _mac(e.mac)
        except ValueError:
            continue
        f1 = Flow(L.GET_FDB, 100, Match.of(metadata=e.dp_key, eth_dst=mac),
                  (SetField(L.LOG_OUTPORT, e.port_key),))
        f2 = Flow(L.LOOKUP_FDB, 100, Match.of(metadata=e.dp_key, reg14=e.port_key, eth_src=mac),
                  (SetField(L.LOG_FLAGS, L.MLF_LOOKUP_FDB, L.MLF_LOOKUP_FDB),))
        out[f1.key] = f1
        out[f2.key] = f2
    return list(out.values())
