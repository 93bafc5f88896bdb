"""Router-side SB rows written by the pyovn northd daemon (distributed
gateway ports: chassisredirect bindings and HA_Chassis_Group priorities;
gateway routers: l3gateway bindings) and bad router input reported once,
with the rest kept."""

from pyovn.db.idl import Database
from pyovn.northd import engine, sb_core
from pyovn.northd.log import Problems

from northd_testlib import wait_sb_synced


def _base(nb):
    nb.ls("sw0")
    nb.lsp("sw0", "vm1", ["00:00:00:00:00:01 10.0.0.1"])
    nb.ls("pub")
    nb.lr("r0")
    nb.lrp("r0", "r0-sw0", "00:00:00:00:ff:01", ["10.0.0.254/24"])
    nb.lsp("sw0", "sw0-r0", ["router"], type="router", options={"router-port": "r0-sw0"})


def _add_gc(nb, lrp, chassis, prio):
    def build(txn):
        db = nb.db
        port = [r for r in db.rows("Logical_Router_Port") if r.name == lrp][0]
        gc = txn.insert(db.tables["Gateway_Chassis"])
        gc.name = "%s-%s" % (lrp, chassis)
        gc.chassis_name = chassis
        gc.priority = prio
        port.addvalue("gateway_chassis", gc.uuid)
    nb.db.transact(build)


def _ha(sb):
    sb.run()
    return {g.name: sorted((h.external_ids["chassis-name"], h.priority)
                           for h in g.ha_chassis) for g in sb.rows("HA_Chassis_Group")}


def test_dgp_bindings_and_ha_group(dbs, nb, sb, northd):
    northd()
    _base(nb)
    nb.lrp("r0", "r0-pub", "00:00:00:00:ff:03", ["172.16.0.1/24"])
    nb.lsp("pub", "pub-r0", ["router"], type="router", options={"router-port": "r0-pub"})
    _add_gc(nb, "r0-pub", "hv1", 20)
    _add_gc(nb, "r0-pub", "hv2", 10)
    wait_sb_synced(nb)
    sb.run()
    pbs = {p.logical_port: p for p in sb.rows("Port_Binding")}
    cr = pbs["cr-r0-pub"]
    assert cr.type == "chassisredirect"
    assert cr.options == {"distributed-port": "r0-pub", "always-redirect": "true"}
    assert pbs["r0-pub"].type == "patch"
    assert pbs["r0-pub"].options["chassis-redirect-port"] == "cr-r0-pub"
    assert cr.ha_chassis_group[0].name == "r0-pub"
    assert _ha(sb) == {"r0-pub": [("hv1", 20), ("hv2", 10)]}
    # The router's flows send traffic for the DGP to its gateway chassis.
    flows = {(f.external_ids["stage-name"], f.match, f.actions) for f in sb.rows("Logical_Flow")}
    assert ("lr_in_gw_redirect", 'outport == "r0-pub"', 'outport = "cr-r0-pub"; next;') in flows
    # A priority change updates the group in place (same group row).
    group_uuid = cr.ha_chassis_group[0].uuid
    nb.set("Gateway_Chassis", "r0-pub-hv2", priority=30)
    wait_sb_synced(nb)
    assert _ha(sb) == {"r0-pub": [("hv1", 20), ("hv2", 30)]}
    assert sb.rows("HA_Chassis_Group")[0].uuid == group_uuid
    # A second DGP on another router with the same chassis/priority pair.
    nb.lr("r1")
    nb.lrp("r1", "r1-pub", "00:00:00:00:ff:04", ["172.16.0.4/24"])
    _add_gc(nb, "r1-pub", "hv1", 20)
    wait_sb_synced(nb)
    assert _ha(sb) == {"r0-pub": [("hv1", 20), ("hv2", 30)], "r1-pub": [("hv1", 20)]}
    # Removing the router removes its chassisredirect port and group.
    nb.delete("Logical_Router", "r0")
    wait_sb_synced(nb)
    sb.run()
    assert "cr-r0-pub" not in {p.logical_port for p in sb.rows("Port_Binding")}
    assert _ha(sb) == {"r1-pub": [("hv1", 20)]}


def test_redirect_chassis_option_and_bridged(dbs, nb, sb, northd):
    northd()
    _base(nb)
    nb.lrp("r0", "r0-pub", "00:00:00:00:ff:03", ["172.16.0.1/24"],
           options={"redirect-chassis": "hv7", "redirect-type": "bridged"})
    wait_sb_synced(nb)
    sb.run()
    cr = [p for p in sb.rows("Port_Binding") if p.logical_port == "cr-r0-pub"][0]
    # Bridged redirect: not every packet goes through the gateway chassis.
    assert cr.options == {"distributed-port": "r0-pub", "redirect-type": "bridged"}
    assert _ha(sb) == {"r0-pub": [("hv7", 0)]}


def test_bad_router_input_reported_and_skipped(dbs, nb, northd):
    _base(nb)
    db = nb.db

    def build(txn):
        r0 = [r for r in db.rows("Logical_Router") if r.name == "r0"][0]
        for prefix, nexthop in (("30.0.0.0/24", "10.0.0.9"), ("bogus", "10.0.0.9"),
                                ("40.0.0.0/24", "99.9.9.9"), ("50.0.0.0/24", "nope")):
            rt = txn.insert(db.tables["Logical_Router_Static_Route"])
            rt.ip_prefix, rt.nexthop = prefix, nexthop
            r0.addvalue("static_routes", rt.uuid)
        n = txn.insert(db.tables["NAT"])
        n.type, n.external_ip, n.logical_ip = "snat", "172.16.0.10", "10.0.0.0/24"
        r0.addvalue("nat", n.uuid)
        n2 = txn.insert(db.tables["NAT"])
        n2.type, n2.external_ip, n2.logical_ip = "snat", "172.16.0.11", "10.0.1.0/24"
        n2.external_port_range = "70000-80000"
        r0.addvalue("nat", n2.uuid)
        lb = txn.insert(db.tables["Load_Balancer"])
        lb.name, lb.protocol = "lbx", ["tcp"]
        lb.vips = {"172.16.0.40:80": "10.0.0.1:8080", "172.16.0.41:99999": "10.0.0.1:1",
                   "172.16.0.42:80": "10.0.0.1"}
        r0.addvalue("load_balancer", lb.uuid)
        pol = txn.insert(db.tables["Logical_Router_Policy"])
        pol.priority, pol.match, pol.action = 10, "ip4.src ==", "drop"
        r0.addvalue("policies", pol.uuid)
    db.transact(build)
    db.run()
    problems = Problems()
    r = engine.compute(db, sb_core.SbView(), problems)
    found = problems.current
    cols = sorted((t, c) for (t, _u, c, _r) in found)
    assert ("Logical_Router_Static_Route", "ip_prefix") in cols
    assert cols.count(("Logical_Router_Static_Route", "nexthop")) == 2
    assert ("Logical_Router_Policy", "match") in cols
    assert ("NAT", "external_port_range") in cols
    assert cols.count(("Load_Balancer", "vips")) == 2
    r0 = next(d for d in r.model.routers if d.name == "r0")
    assert [v[1] for v in r0.lb_vips] == ["172.16.0.40"]
    nat = [reason for (t, _u, c, reason) in found if t == "Logical_Router"]
    assert len(nat) == 1 and "r0" in nat[0] and "NAT" in nat[0]
    # The good route is still there; nothing of the bad ones is.
    routing = {f.match for f in r.lflows if f.stage.name == "lr_in_ip_routing"}
    assert "reg7 == 0 && ip4.dst == 30.0.0.0/24" in routing
    assert not any("40.0.0.0" in m or "50.0.0.0" in m for m in routing)
    assert not any(f.stage.name == "lr_in_policy" and f.priority == 10 for f in r.lflows)
    # No NAT flows on a router without a gateway.
    assert not any(f.stage.name == "lr_out_snat" and "ct_snat" in f.actions
                   for f in r.lflows)


def test_ha_group_ref_chassis_from_bound_ports(dbs, nb):
    """ref_chassis: the chassis where the router's logical network has bound
    VIFs (through switches and other routers), for ovn-controller's BFD."""
    _base(nb)
    nb.lrp("r0", "r0-pub", "00:00:00:00:ff:03", ["172.16.0.1/24"])
    _add_gc(nb, "r0-pub", "hv1", 20)
    nb.lsp("pub", "ext", ["00:00:00:00:00:09 172.16.0.9"])
    nb.ls("far")
    nb.lsp("far", "vmfar", ["00:00:00:00:00:0f 30.0.0.1"])
    nb.lsp("far", "ln", ["unknown"], type="localnet", options={"network_name": "x"})
    nb.lr("r1")
    nb.lrp("r1", "r1-sw0", "00:00:00:00:ff:11", ["10.0.0.253/24"])
    nb.lrp("r1", "r1-far", "00:00:00:00:ff:12", ["30.0.0.254/24"])
    nb.lsp("sw0", "sw0-r1", ["router"], type="router", options={"router-port": "r1-sw0"})
    nb.lsp("far", "far-r1", ["router"], type="router", options={"router-port": "r1-far"})
    nb.db.run()

    class Ch:
        def __init__(self, name):
            self.name = name
            self.uuid = name
    view = sb_core.SbView()
    # vm1 on hv2, vmfar (behind r1) on hv3, localnet "bound" nowhere that
    # counts, ext (on pub, not attached to r0) on hv9.
    view.port_chassis = {"vm1": Ch("hv2"), "vmfar": Ch("hv3"), "ln": Ch("hv7"),
                         "ext": Ch("hv9")}
    r = engine.compute(nb.db, view, Problems())
    group = r.desired.tables["HA_Chassis_Group"]["r0-pub"]
    assert [c.name for c in group["ref_chassis"]] == ["hv2", "hv3"]


def test_garbage_router_rows_never_break_the_computation(dbs, nb):
    """Every kind of bad router row at once: the computation finishes, the
    good parts of each router are there, and each bad row is reported."""
    _base(nb)
    nb.lr("gw", options={"chassis": "hv1", "dnat_force_snat_ip": "nope",
                         "lb_force_snat_ip": "1.2.3"})
    nb.lrp("gw", "gw-a", "00:00:00:00:aa:01", ["30.0.0.1/24"],
           options={"gateway_mtu": "abc", "route_table": "t1"},
           ipv6_ra_configs={"address_mode": "slaac", "send_periodic": "true",
                            "max_interval": "x"})
    nb.lrp("gw", "gw-bad", "00:00:00:00:aa:02", ["30.1.0.1/33"])
    nb.lrp("gw", "gw-b", "zz:zz", ["30.2.0.1/24"])
    db = nb.db

    def build(txn):
        gw = [r for r in db.rows("Logical_Router") if r.name == "gw"][0]
        for typ, ext, lip, lport, emac in (("snat", "", "30.0.0.0/24", None, None),
                                           ("dnat", "172.16.0.9", "30.0.0.0/24", None, None),
                                           ("dnat_and_snat", "fd00::1", "30.0.0.5", None, None),
                                           ("dnat_and_snat", "172.16.0.8", "30.0.0.6",
                                            "vmx", "not-a-mac"),
                                           ("snat", "172.16.0.7", "30.0.0.0/24", None, None)):
            n = txn.insert(db.tables["NAT"])
            n.type, n.external_ip, n.logical_ip = typ, ext, lip
            if lport:
                n.logical_port, n.external_mac = [lport], [emac]
            gw.addvalue("nat", n.uuid)
        for prefix, nexthop, extra in (("1.2.3.4/99", "30.0.0.9", {}),
                                       ("40.0.0.0/24", "fd00::9", {}),
                                       ("41.0.0.0/24", "30.0.0.9", {"output_port": ["zz"]}),
                                       ("42.0.0.0/24", "30.0.0.9", {"route_table": "t1"})):
            rt = txn.insert(db.tables["Logical_Router_Static_Route"])
            rt.ip_prefix, rt.nexthop = prefix, nexthop
            for k, v in extra.items():
                setattr(rt, k, v)
            gw.addvalue("static_routes", rt.uuid)
        for prio, match, action, hops, opts in (
                (10, "ip4", "reroute", ["not-an-ip"], {}),
                (11, "ip4", "reroute", ["99.9.9.9"], {}),
                (12, "ip4", "allow", [], {"pkt_mark": "-5"}),
                (13, "ip4 &&", "drop", [], {})):
            pol = txn.insert(db.tables["Logical_Router_Policy"])
            pol.priority, pol.match, pol.action, pol.nexthops = prio, match, action, hops
            pol.options = opts
            gw.addvalue("policies", pol.uuid)
        lb = txn.insert(db.tables["Load_Balancer"])
        lb.name, lb.protocol = "lbg", ["udp"]
        lb.vips = {"garbage": "x", "30.0.0.100:53": "[fd00::1]:53",
                   "30.0.0.101:53": "30.0.0.5:53,30.0.0.6:53"}
        lb.options = {"affinity_timeout": "soon"}
        gw.addvalue("load_balancer", lb.uuid)
    db.transact(build)
    db.run()
    problems = Problems()
    r = engine.compute(db, sb_core.SbView(), problems)
    cols = {(t, c) for (t, _u, c, _r) in problems.current}
    for want in (("NAT", "external_ip"), ("NAT", "logical_ip"), ("NAT", "external_mac"),
                 ("Logical_Router_Static_Route", "ip_prefix"),
                 ("Logical_Router_Static_Route", "nexthop"),
                 ("Logical_Router_Static_Route", "output_port"),
                 ("Logical_Router_Policy", "nexthops"), ("Logical_Router_Policy", "match"),
                 ("Logical_Router_Policy", "options:pkt_mark"),
                 ("Load_Balancer", "vips"), ("Logical_Router", "options:dnat_force_snat_ip"),
                 ("Logical_Router", "options:lb_force_snat_ip"),
                 ("Logical_Router_Port", "mac/networks"),
                 ("Logical_Router_Port", "options:gateway_mtu")):
        assert want in cols, (want, sorted(cols))
    flows = {(f.stage.name, f.match, f.actions) for f in r.lflows
             if f.datapaths and f.datapaths[0].name == "gw"}
    # The good rows made it.
    assert ("lr_out_snat", "ip && ip4.src == 30.0.0.0/24 && (!ct.trk || !ct.rpl)",
            "ct_snat(172.16.0.7);") in flows
    assert ("lr_in_dnat", "ip && ip4.dst == 172.16.0.9",
            "flags.loopback = 1; ct_dnat(30.0.0.0/24);") not in flows
    assert any(s == "lr_in_dnat" and "30.0.0.101" in m for s, m, a in flows)
    assert any(s == "lr_in_ip_routing" and "42.0.0.0/24" in m for s, m, a in flows)
    assert not any("1.2.3.4" in m or "40.0.0.0" in m or "41.0.0.0" in m
                   for s, m, a in flows)


def test_router_flows_name_their_builder(dbs, nb):
    """external_ids:source of a router flow names the line that built it
    (not a shared helper), as 23.03's northd.c:<line> does."""
    _base(nb)
    nb.db.run()
    r = engine.compute(nb.db, sb_core.SbView(), Problems())
    sources = {f.source for f in r.lflows if f.stage.dp_type == "lr"}
    assert len(sources) > 20
    assert all(s.startswith(("lr_pipeline.py:", "lr_nat.py:")) for s in sources), sources
