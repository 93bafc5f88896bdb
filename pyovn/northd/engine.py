"""The northd engine: evaluates the graph declared in graph.py.

compute(nb, sb_view, problems) is the pure part (NB snapshot -> desired SB
content).  Northd drives it from the databases: it recomputes when an input
changed, writes the difference to the SB in one transaction (sync.py), and
feeds status back to the NB (nb_cfg -> sb_cfg -> hv_cfg, LSP up, generated
NB_Global options).
"""

import time

from pyovn.northd import graph
from pyovn.northd import ipam
from pyovn.northd import mcast
from pyovn.northd import meters
from pyovn.northd import lflow
from pyovn.northd import lr_model
from pyovn.northd import lr_pipeline
from pyovn.northd import lr_sb
from pyovn.northd import ls_pipeline
from pyovn.northd import model as model_mod
from pyovn.northd import sb_core
from pyovn.northd import sb_static
from pyovn.northd import sync
from pyovn.northd import validate
from pyovn.northd.log import vlog
from pyovn.northd.model import opt


class Result:
    def __init__(self):
        self.model = None
        self.desired = None
        self.lflows = None
        self.nb_options = None


def compute(nb, view, problems):
    """NB snapshot + SB view -> Result.  Touches no database."""
    r = Result()
    m = model_mod.build(nb, problems)
    lr_model.prepare(m, problems)          # routers: DGPs, NAT, routes (part 2)
    r.model = m
    sb_core.assign_keys(m, view, problems)
    r.nb_options = sb_core.nb_global_options(m, view)
    ipam.assign(m, r.nb_options["mac_prefix"], problems)
    d = sync.Desired()
    sb_core.build_datapaths(m, d)
    sb_core.build_port_bindings(m, view, d, problems)
    lr_sb.build(m, view, d, problems)      # DGP HA groups, gateway PB columns
    sb_core.build_multicast_groups(m, d)
    learnt, mc_keys = getattr(view, "igmp", ({}, {}))
    igmp_groups = mcast.build_sb(m, d, learnt, mc_keys)
    sb_core.build_address_sets(m, d, r.nb_options["svc_monitor_mac"])
    sb_core.build_port_groups(m, d)
    sb_core.build_rbac(d)
    sb_static.build(d)
    meters.build(m, d)
    build_dns(m, d)
    table = lflow.LflowTable()
    ctx = ls_pipeline.Context(m.options, problems, r.nb_options["svc_monitor_mac"],
                              m.meters)
    ctx.names = validate.Names(
        {name: cols["addresses"] for name, cols in d.tables["Address_Set"].items()},
        {pg.name: [p.name for p in pg.ports] for pg in m.port_groups})
    ctx.svc_status = view.svc_status
    ctx.igmp_groups = igmp_groups
    ls_pipeline.build(m, table, ctx)
    sb_core.build_service_monitors(ctx.service_monitors, r.nb_options["svc_monitor_mac"], d)
    lr_pipeline.build(m, table, ctx)
    r.lflows = table
    groups = build_lflow_rows(table, d)
    build_load_balancers(m, d, groups)
    r.desired = d
    return r


def _group_ref(d, dps, groups):
    key = frozenset(dp.uuid for dp in dps)
    if key not in groups:
        groups[key] = d.add("Logical_DP_Group", key,
                            datapaths=[sb_core.dp_ref(dp) for dp in dps])
    return groups[key]


def build_lflow_rows(table, d):
    groups = {}
    for f in table:
        dps = [dp for dp in f.datapaths if dp.key is not None]
        if not dps:
            continue
        key = (f.stage.name, f.stage.pipeline, f.stage.table, f.priority, f.match,
               f.actions, f.meter, f.hint)
        cols = dict(pipeline=f.stage.pipeline, table_id=f.stage.table,
                    priority=f.priority, match=f.match, actions=f.actions,
                    controller_meter=[f.meter] if f.meter else [],
                    external_ids=f.external_ids(), tags={})
        if len(dps) == 1:
            cols["logical_datapath"] = [sb_core.dp_ref(dps[0])]
            cols["logical_dp_group"] = []
        else:
            cols["logical_datapath"] = []
            cols["logical_dp_group"] = [_group_ref(d, dps, groups)]
        d.add("Logical_Flow", key, **cols)
    return groups


def build_dns(m, d):
    per_dns = {}
    for dp in m.switches:
        if dp.key is None:
            continue
        for rec in dp.dns:
            per_dns.setdefault(str(rec.uuid), (rec, []))[1].append(dp)
    for uuid, (rec, dps) in sorted(per_dns.items()):
        ids = {"dns_id": uuid}
        d.add("DNS", uuid, records=dict(rec.records),
              datapaths=[sb_core.dp_ref(dp) for dp in dps], external_ids=ids)


def build_load_balancers(m, d, groups):
    per_lb = {}
    for dp in m.switches:
        if dp.key is None:
            continue
        for lb in dp.lbs:
            per_lb.setdefault(str(lb.uuid), (lb, []))
            if dp not in per_lb[str(lb.uuid)][1]:
                per_lb[str(lb.uuid)][1].append(dp)
    for uuid, (lb, dps) in sorted(per_lb.items()):
        opts = {k: v for k, v in lb.options.items()}
        opts["hairpin_orig_tuple"] = "true"
        ids = {"lb_id": uuid}
        d.add("Load_Balancer", uuid, name=lb.name, vips=dict(lb.vips),
              protocol=list(lb.protocol) or ["tcp"], options=opts, external_ids=ids,
              datapaths=[], datapath_group=[_group_ref(d, dps, groups)])


def now_ms():
    return int(time.time() * 1000)
