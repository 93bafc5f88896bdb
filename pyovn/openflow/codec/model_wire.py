"""Mapping between the flow model (pyovn/openflow/model.py) and the wire
codec: model action classes -> Acts (dispatch on class), Flow/GroupMod/
MeterMod -> messages, and back (flow stats replies -> model Flows)."""

import ipaddress

from pyovn.openflow import model as M
from pyovn.openflow.codec import messages as W
from pyovn.openflow.codec.actions import Act, LearnSpec
from pyovn.openflow.codec.errors import CodecError

_REASONS = {"no_match": 0, "action": 1, "invalid_ttl": 2, "action_set": 3,
            "group": 4, "packet_out": 5}
_REASON_NAMES = {v: k for k, v in _REASONS.items()}
_ALGS = {"ftp": 21, "tftp": 69}
_ALG_NAMES = {v: k for k, v in _ALGS.items()}
NX_LEARN_F_SEND_FLOW_REM = 1
NX_LEARN_F_DELETE_LEARNED = 2
OFP_DEFAULT_PRIORITY = 0x8000


def port_to_wire(port):
    """16-bit OpenFlow 1.0 port (reserved ports 0xff00+) -> 32-bit."""
    if isinstance(port, str):
        port = M.PORT_NUMBERS.get(port.upper(), None) if not port.isdigit() else int(port)
        if port is None:
            raise CodecError("unknown port name")
    if 0xff00 <= port <= 0xffff:
        return port + 0xffff0000
    return port


def port_from_wire(port):
    if port >= 0xffffff00:
        return port - 0xffff0000
    return port


def _ip(text):
    addr = ipaddress.ip_address(text.strip("[]"))
    return int(addr), addr.version == 6


def _sub(sf):
    return sf.field, sf.ofs, sf.n_bits


def _one(a):
    """One model action -> list of Acts."""
    if isinstance(a, M.Output):
        if isinstance(a.port, M.Subfield):
            return [Act("output_reg", field=a.port.field, ofs=a.port.ofs,
                        n_bits=a.port.n_bits)]
        port = port_to_wire(a.port)
        return [Act("output", port=port,
                    max_len=0xffff if port == W.OFPP_CONTROLLER else 0)]
    if isinstance(a, M.Resubmit):
        port = a.port
        if isinstance(port, str):
            port = M.PORT_NUMBERS.get(port.upper(), None) if not port.isdigit() else int(port)
        return [Act("resubmit", port=port, table=a.table, ct=a.ct)]
    if isinstance(a, M.SetField):
        return [Act("set_field", field=a.field, value=a.value, mask=a.mask)]
    if isinstance(a, M.Load):
        return [Act("reg_load", field=a.dst.field, ofs=a.dst.ofs,
                    n_bits=a.dst.n_bits, value=a.value)]
    if isinstance(a, M.Move):
        return [Act("copy_field", src=a.src.field, src_ofs=a.src.ofs,
                    dst=a.dst.field, dst_ofs=a.dst.ofs, n_bits=a.src.n_bits)]
    if isinstance(a, (M.Push, M.Pop)):
        sf = a.src if isinstance(a, M.Push) else a.dst
        return [Act("stack_push" if isinstance(a, M.Push) else "stack_pop",
                    field=sf.field, ofs=sf.ofs, n_bits=sf.n_bits)]
    if isinstance(a, M.PushVlan):
        return [Act("push_vlan", ethertype=a.ethertype)]
    if isinstance(a, M.PopVlan):
        return [Act("pop_vlan")]
    if isinstance(a, M.DecTtl):
        ids = getattr(a, "ids", None)
        return [Act("dec_ttl") if ids is None else Act("dec_ttl", ids=tuple(ids))]
    if isinstance(a, M.Ct):
        nested = []
        if a.nat is not None:
            nested += _one(a.nat)
        nested += actions_to_wire(a.exec_)
        kw = {}
        if isinstance(a.zone, M.Subfield):
            kw["zone_field"] = _sub(a.zone)
        elif a.zone is not None:
            kw["zone"] = a.zone
        alg = 0
        if a.alg:
            if a.alg not in _ALGS:
                raise CodecError("ct: unknown alg %s" % a.alg)
            alg = _ALGS[a.alg]
        return [Act("ct", commit=a.commit, force=a.force, table=a.table,
                    alg=alg, actions=nested, **kw)]
    if isinstance(a, M.Nat):
        kw = {"mode": a.kind, "port_min": a.port_min,
              "port_max": a.port_max if a.port_max != a.port_min else None,
              "persistent": "persistent" in a.flags, "hash": "hash" in a.flags,
              "random": "random" in a.flags}
        if a.addr_min:
            kw["ip_min"], kw["ipv6"] = _ip(a.addr_min)
            if a.addr_max and a.addr_max != a.addr_min:
                kw["ip_max"], _v6 = _ip(a.addr_max)
        return [Act("nat", **kw)]
    if isinstance(a, M.CtClear):
        return [Act("ct_clear")]
    if isinstance(a, M.Conjunction):
        return [Act("conjunction", id=a.id, clause=a.clause, n_clauses=a.n_clauses)]
    if isinstance(a, M.Controller):
        reason = _REASONS.get(a.reason or "action")
        if reason is None:
            raise CodecError("controller: unknown reason %s" % a.reason)
        return [Act("controller", reason=reason, userdata=bytes(a.userdata),
                    pause=a.pause, meter_id=a.meter_id, max_len=a.max_len,
                    controller_id=a.controller_id or None)]
    if isinstance(a, M.Learn):
        if a.limit:
            raise CodecError("learn: limit= needs NXAST_LEARN2 (not supported)")
        specs = []
        for s in a.specs:
            n_bits = s.dst.n_bits if s.dst is not None else s.src.n_bits
            kw = {}
            if s.src is not None:
                kw.update(src_field=s.src.field, src_ofs=s.src.ofs)
            else:
                kw["src_value"] = s.value
            if s.dst is not None:
                kw.update(dst_field=s.dst.field, dst_ofs=s.dst.ofs)
            specs.append(LearnSpec(s.kind, n_bits, **kw))
        return [Act("learn", table=a.table, priority=OFP_DEFAULT_PRIORITY
                    if a.priority is None else a.priority,
                    idle_timeout=a.idle_timeout, hard_timeout=a.hard_timeout,
                    cookie=a.cookie,
                    flags=NX_LEARN_F_DELETE_LEARNED if a.delete_learned else 0,
                    specs=specs)]
    if isinstance(a, M.Group):
        return [Act("group", group_id=a.group_id)]
    if isinstance(a, M.Meter):
        return [Act("meter", meter_id=a.meter_id)]
    if isinstance(a, M.Clone):
        return [Act("clone", actions=actions_to_wire(a.actions))]
    if isinstance(a, M.CheckPktLarger):
        return [Act("check_pkt_larger", pkt_len=a.pkt_len, dst=a.dst.field,
                    dst_ofs=a.dst.ofs)]
    if isinstance(a, M.Note):
        return [Act("note", data=bytes(a.data))]
    if isinstance(a, M.SetQueue):
        return [Act("set_queue", queue_id=a.queue_id)]
    if isinstance(a, M.Sample):
        return [Act("sample", probability=a.probability,
                    collector_set_id=a.collector_set_id,
                    obs_domain_id=a.obs_domain_id, obs_point_id=a.obs_point_id,
                    sampling_port=a.sampling_port)]
    if isinstance(a, M.Exit):
        return [Act("exit")]
    raise CodecError("no wire encoding for action %s (%s)" % (a, type(a).__name__))


def actions_to_wire(actions):
    out = []
    for a in actions:
        out += _one(a)
    return out


def match_to_wire(match):
    return list(match.fields)


def flow_mod(flow, command=W.OFPFC_ADD):
    """FlowMod message for model Flow FLOW."""
    strict_delete = command in (W.OFPFC_DELETE, W.OFPFC_DELETE_STRICT)
    return W.FlowMod(command=command, table=flow.table, priority=flow.priority,
                     match=match_to_wire(flow.match),
                     actions=() if strict_delete else actions_to_wire(flow.actions),
                     cookie=flow.cookie, idle_timeout=flow.idle_timeout,
                     hard_timeout=flow.hard_timeout)


_GROUP_TYPES = {"all": W.OFPGT_ALL, "select": W.OFPGT_SELECT,
                "indirect": W.OFPGT_INDIRECT, "ff": W.OFPGT_FF,
                "fast_failover": W.OFPGT_FF}
_GROUP_TYPE_NAMES = {W.OFPGT_ALL: "all", W.OFPGT_SELECT: "select",
                     W.OFPGT_INDIRECT: "indirect", W.OFPGT_FF: "ff"}


def group_mod(group, command=W.OFPGC_ADD):
    if group.type not in _GROUP_TYPES:
        raise CodecError("group %d: unknown type %s" % (group.group_id, group.type))
    if command == W.OFPGC_DELETE:
        return W.GroupMod(W.OFPGC_DELETE, W.OFPGT_ALL, group.group_id)
    buckets = [W.Bucket(actions_to_wire(b.actions), b.weight, b.watch_port,
                        None, b.bucket_id) for b in group.buckets]
    return W.GroupMod(command, _GROUP_TYPES[group.type], group.group_id, buckets,
                      group.selection_method,
                      getattr(group, "selection_method_param", None) or 0, group.fields)


def meter_mod(meter, command=W.OFPMC_ADD):
    if command == W.OFPMC_DELETE:
        return W.MeterMod(W.OFPMC_DELETE, 0, meter.meter_id)
    flags = {"kbps": W.OFPMF_KBPS, "pktps": W.OFPMF_PKTPS}.get(meter.unit)
    if flags is None:
        raise CodecError("meter %d: unknown unit %s" % (meter.meter_id, meter.unit))
    flags |= (W.OFPMF_BURST if meter.burst else 0) | (W.OFPMF_STATS if meter.stats else 0)
    bands = []
    for b in meter.bands:
        if b.type != "drop":
            raise CodecError("meter %d: band type %s is not supported"
                             % (meter.meter_id, b.type))
        bands.append(W.Band(W.OFPMBT_DROP, b.rate, b.burst_size))
    return W.MeterMod(command, flags, meter.meter_id, bands)


# --- wire -> model --------------------------------------------------------

def _ipstr(value, v6):
    return str(ipaddress.IPv6Address(value) if v6 else ipaddress.IPv4Address(value))


def _from(a):
    k = a.kind
    if k == "output":
        return M.Output(port_from_wire(a.port))
    if k == "output_reg":
        return M.Output(M.Subfield(a.field, a.ofs, a.n_bits))
    if k == "stack_push":
        return M.Push(M.Subfield(a.field, a.ofs, a.n_bits))
    if k == "stack_pop":
        return M.Pop(M.Subfield(a.field, a.ofs, a.n_bits))
    if k == "resubmit":
        return M.Resubmit(table=a.table, port=a.port, ct=a.ct)
    if k == "set_field":
        return M.SetField(a.field, a.value, a.mask)
    if k == "reg_load":
        return M.Load(a.value, M.Subfield(a.field, a.ofs, a.n_bits))
    if k in ("copy_field", "move"):
        return M.Move(M.Subfield(a.src, a.src_ofs, a.n_bits),
                      M.Subfield(a.dst, a.dst_ofs, a.n_bits))
    if k == "push_vlan":
        return M.PushVlan(a.ethertype)
    if k == "pop_vlan":
        return M.PopVlan()
    if k == "dec_ttl":
        if "ids" in a.args:
            return M.DecTtl(ids=tuple(a.ids))
        return M.DecTtl()
    if k == "ct":
        nat = None
        exec_ = []
        for n in a.actions:
            if n.kind == "nat":
                nat = _from(n)
            else:
                exec_.append(_from(n))
        zone = M.Subfield(*a.zone_field) if a.zone_field else a.zone
        return M.Ct(commit=a.commit, force=a.force, table=a.table,
                    zone=zone, exec_=tuple(exec_),
                    alg=_ALG_NAMES.get(a.alg) if a.alg else None, nat=nat)
    if k == "nat":
        flags = tuple(f for f in ("random", "persistent", "hash") if a.args[f])
        amin = _ipstr(a.ip_min, a.ipv6) if a.ip_min is not None else None
        amax = _ipstr(a.ip_max, a.ipv6) if a.ip_max is not None else None
        return M.Nat(a.mode, amin, amax, a.port_min, a.port_max, flags)
    if k == "ct_clear":
        return M.CtClear()
    if k == "conjunction":
        return M.Conjunction(a.id, a.clause, a.n_clauses)
    if k == "controller":
        return M.Controller(userdata=a.userdata, pause=a.pause,
                            reason=None if a.reason == 1 else _REASON_NAMES.get(a.reason),
                            max_len=a.max_len, controller_id=a.controller_id or 0,
                            meter_id=a.meter_id)
    if k == "learn":
        specs = []
        for s in a.specs:
            src = M.Subfield(s.src_field, s.src_ofs, s.n_bits) if s.src_field else None
            dst = M.Subfield(s.dst_field, s.dst_ofs, s.n_bits) if s.dst_field else None
            specs.append(M.LearnSpec(s.kind, dst=dst, src=src, value=s.src_value))
        return M.Learn(a.table, tuple(specs), a.idle_timeout, a.hard_timeout,
                       a.priority, a.cookie,
                       bool(a.flags & NX_LEARN_F_DELETE_LEARNED))
    if k == "group":
        return M.Group(a.group_id)
    if k == "meter":
        return M.Meter(a.meter_id)
    if k == "clone":
        return M.Clone(tuple(actions_from_wire(a.actions)))
    if k == "check_pkt_larger":
        return M.CheckPktLarger(a.pkt_len, M.Subfield(a.dst, a.dst_ofs, 1))
    if k == "note":
        return M.Note(a.data)
    if k == "set_queue":
        return M.SetQueue(a.queue_id)
    if k == "sample":
        return M.Sample(a.probability, a.collector_set_id, a.obs_domain_id,
                        a.obs_point_id, a.sampling_port)
    if k == "exit":
        return M.Exit()
    raise CodecError("no model class for wire action %s" % k)


def actions_from_wire(acts):
    return tuple(_from(a) for a in acts)


_WIDTH = {}


def _width(name):
    w = _WIDTH.get(name)
    if w is None:
        w = _WIDTH[name] = M.field_info(name).width
    return w


def match_from_wire(fields):
    """Model Match of decoded FIELDS.  OpenFlow 1.5 reports a vlan_tci
    match as OXM vlan_vid (+ vlan_pcp); OVN speaks vlan_tci, so those are
    folded back into it; xregN/xxregN come back split into their regs, as
    the model keeps them.

    A switch's flow dump can hold a hundred thousand flows, so the common
    case (distinct fields, in range) builds the Match directly in the
    model's canonical form; anything else goes through Match.of."""
    out = []
    for n, v, m in fields:
        if n == "vlan_vid":
            out.append(("vlan_tci", v & 0x1fff, 0x1fff if m is None else m & 0x1fff))
        elif n == "vlan_pcp":
            out.append(("vlan_tci", (v & 7) << 13, 0xe000))
        elif n.startswith("xreg") or n.startswith("xxreg"):
            n_regs = 2 if n.startswith("xreg") else 4
            first = int(n.lstrip("x")[3:]) * n_regs
            full = (1 << (32 * n_regs)) - 1
            mask = full if m is None else m
            for i in range(n_regs):
                shift = 32 * (n_regs - 1 - i)
                rm = (mask >> shift) & 0xffffffff
                if rm:
                    rv = (v >> shift) & rm
                    out.append(("reg%d" % (first + i), rv,
                                None if rm == 0xffffffff else rm))
        else:
            out.append((n, v, m))
    names = [n for n, _v, _m in out]
    if len(set(names)) != len(names):
        return M.Match.of(*out)
    canon = []
    for n, v, m in out:
        full = (1 << _width(n)) - 1
        if v > full or (m is not None and m > full):
            return M.Match.of(*out)
        if m is not None:
            if m == full:
                m = None
            elif m == 0:
                continue
            else:
                v &= m
        canon.append((n, v, m))
    canon.sort(key=lambda t: M._sort_key(t[0]))
    return M.Match(tuple(canon))


def flow_from_stats(fs):
    """Model Flow for a FlowStats entry."""
    if isinstance(fs, W.UndecodableFlow):
        raise CodecError("undecodable flow in table %s: %s" % (fs.table, fs.error))
    return M.Flow(fs.table, fs.priority, match_from_wire(fs.match),
                  actions_from_wire(fs.actions), fs.cookie, fs.idle_timeout,
                  fs.hard_timeout)


def group_from_wire(gm):
    buckets = tuple(M.Bucket(actions_from_wire(b.actions), b.bucket_id, b.weight,
                             b.watch_port) for b in gm.buckets)
    return M.GroupMod(gm.group_id, _GROUP_TYPE_NAMES.get(gm.group_type, "all"),
                      buckets, gm.selection_method, tuple(gm.fields),
                      gm.selection_method_param or None)


def meter_from_wire(mm):
    unit = "pktps" if mm.flags & W.OFPMF_PKTPS else "kbps"
    burst = bool(mm.flags & W.OFPMF_BURST)
    # Without the burst flag the switch reports a burst size of its own
    # choosing; it means nothing.
    bands = tuple(M.MeterBand("drop", b.rate, b.burst_size if burst else 0)
                  for b in mm.bands)
    return M.MeterMod(mm.meter_id, unit, bool(mm.flags & W.OFPMF_BURST),
                      bool(mm.flags & W.OFPMF_STATS), bands)


# --- normal forms, for comparing desired with read-back state ---------------

def _norm_action(a):
    if isinstance(a, M.Load):
        return M.SetField.of_subfield(a.value, a.dst)
    if isinstance(a, M.Clone):
        return M.Clone(tuple(_norm_action(x) for x in a.actions))
    if isinstance(a, M.Ct):
        return M.Ct(a.commit, a.force, a.table, None if a.zone == 0 else a.zone,
                    tuple(_norm_action(x) for x in a.exec_), a.alg, a.nat)
    if isinstance(a, M.Learn) and a.priority is None:
        return M.Learn(a.table, a.specs, a.idle_timeout, a.hard_timeout,
                       OFP_DEFAULT_PRIORITY, a.cookie, a.delete_learned, a.limit)
    if isinstance(a, M.Output) and isinstance(a.port, str):
        return M.Output(port_from_wire(port_to_wire(a.port)))
    return a


def normal_flow(f):
    """F as the switch reports it back (loads become masked set_fields...)."""
    acts = tuple(_norm_action(a) for a in f.actions)
    if acts == f.actions:
        return f
    return M.Flow(f.table, f.priority, f.match, acts, f.cookie, f.idle_timeout,
                  f.hard_timeout)


def normal_group(g):
    buckets = []
    for i, b in enumerate(g.buckets):
        weight = b.weight
        if weight is None and g.type == "select":
            weight = 100
        buckets.append(M.Bucket(tuple(_norm_action(a) for a in b.actions),
                                i if b.bucket_id is None else b.bucket_id,
                                weight, b.watch_port))
    return M.GroupMod(g.group_id, g.type, tuple(buckets), g.selection_method,
                      tuple(g.fields), g.selection_method_param or None)


def normal_meter(m):
    if m.burst:
        return m
    return M.MeterMod(m.meter_id, m.unit, m.burst, m.stats,
                      tuple(M.MeterBand(b.type, b.rate, 0) for b in m.bands))
