"""pyovn northd's router pipeline driving the C ovn-controller on 3 sandbox
chassis (real ovs-vswitchd, Geneve): routed packets between chassis, ICMP
echo from the router, and SNAT through a distributed gateway port whose
gateway chassis is another hypervisor."""

import time

import pytest

from pyovn.db.idl import Database

pytestmark = pytest.mark.peer

VMS = {  # name: (switch, chassis, vif, mac, ip)
    "vm1": ("sw0", "hv1", "vif1", "50:54:00:00:00:01", "10.0.0.1"),
    "vm2": ("sw1", "hv2", "vif2", "50:54:00:00:01:01", "20.0.0.1"),
    "ext": ("pub", "hv3", "vifx", "50:54:00:00:09:09", "172.16.0.254"),
}
ROUTER_PORTS = {  # lrp: (switch, mac, network)
    "r0-sw0": ("sw0", "00:00:00:00:ff:01", "10.0.0.254/24"),
    "r0-sw1": ("sw1", "00:00:00:00:ff:02", "20.0.0.254/24"),
    "r0-pub": ("pub", "00:00:00:00:ff:03", "172.16.0.1/24"),
}


def build(sb):
    nb = sb.nb_db()

    def txn_fn(txn):
        T = nb.tables
        switches = {}
        for sw in ("sw0", "sw1", "pub"):
            ls = txn.insert(T["Logical_Switch"])
            ls.name = sw
            switches[sw] = ls
        for name, (sw, _, _, mac, ip) in VMS.items():
            lsp = txn.insert(T["Logical_Switch_Port"])
            lsp.name = name
            lsp.addresses = ["%s %s" % (mac, ip)]
            switches[sw].addvalue("ports", lsp.uuid)
        lr = txn.insert(T["Logical_Router"])
        lr.name = "r0"
        for lrp_name, (sw, mac, net) in ROUTER_PORTS.items():
            lrp = txn.insert(T["Logical_Router_Port"])
            lrp.name, lrp.mac, lrp.networks = lrp_name, mac, [net]
            if lrp_name == "r0-pub":
                gc = txn.insert(T["Gateway_Chassis"])
                gc.name, gc.chassis_name, gc.priority = "r0-pub-hv2", "hv2", 10
                lrp.gateway_chassis = [gc]
            lr.addvalue("ports", lrp.uuid)
            lsp = txn.insert(T["Logical_Switch_Port"])
            lsp.name = "%s-r0" % sw
            lsp.type = "router"
            lsp.addresses = ["router"]
            lsp.options = {"router-port": lrp_name}
            switches[sw].addvalue("ports", lsp.uuid)
        rt = txn.insert(T["Logical_Router_Static_Route"])
        rt.ip_prefix, rt.nexthop = "0.0.0.0/0", "172.16.0.254"
        lr.static_routes = [rt]
        nat = txn.insert(T["NAT"])
        nat.type, nat.external_ip, nat.logical_ip = "snat", "172.16.0.10", "10.0.0.0/24"
        lr.nat = [nat]
    nb.transact(txn_fn)
    for name, (_, ch, vif, mac, _) in VMS.items():
        sb.add_vif(ch, vif, name, mac=mac)
    for name, (_, ch, _, _, _) in VMS.items():
        assert sb.wait_port_up(name) == ch
    # The chassisredirect port is claimed by its gateway chassis.
    sdb = sb.sb_db()
    sdb.wait_until(lambda db: any(p.logical_port == "cr-r0-pub" and p.chassis and
                                  p.chassis[0].name == "hv2"
                                  for p in db.rows("Port_Binding")), 30)
    sb.wait_hv()


def udp(src, dst, sip, dip, tag, ttl=64):
    return ("eth(src=%s,dst=%s)/ip4(src=%s,dst=%s,ttl=%d)/udp(src=1000,dst=2000)/"
            "payload(text=%s)" % (src, dst, sip, dip, ttl, tag))


def with_text(tag):
    return lambda p: tag.encode() in (p.data or b"")


def test_routing_echo_and_dgp_snat(sandbox_factory):
    sb = sandbox_factory(chassis=3, northd="py", controller="c")
    build(sb)
    m1 = VMS["vm1"][3]

    # Routed hv1 -> hv2: TTL decremented, MACs rewritten by the router.
    sb.inject("vif1", udp(m1, "00:00:00:00:ff:01", "10.0.0.1", "20.0.0.1", "routed"))
    p = sb.wait_received("vif2", match=with_text("routed"))[0]
    assert p.get("eth.src") == "00:00:00:00:ff:02"
    assert p.get("eth.dst") == VMS["vm2"][3]
    assert p.get("ip4.ttl") == 63

    # ICMP echo to the router's address comes back to vm1.
    sb.inject("vif1", "eth(src=%s,dst=00:00:00:00:ff:01)/ip4(src=10.0.0.1,"
              "dst=10.0.0.254,ttl=64)/icmp4(type=8,id=7,seq=3)" % m1)
    p = sb.wait_received("vif1", match=lambda p: p.get("icmp4.type") == 0)[0]
    assert p.get("ip4.src") == "10.0.0.254" and p.get("ip4.dst") == "10.0.0.1"

    # Out through the DGP: SNAT to 172.16.0.10 on the gateway chassis,
    # delivered to the external host (the default route's next hop).
    sb.inject("vif1", udp(m1, "00:00:00:00:ff:01", "10.0.0.1", "8.8.8.8", "snat"))
    p = sb.wait_received("vifx", match=with_text("snat"))[0]
    assert p.get("ip4.src") == "172.16.0.10" and p.get("ip4.dst") == "8.8.8.8"
    assert p.get("eth.src") == "00:00:00:00:ff:03"
    assert p.get("eth.dst") == VMS["ext"][3]

    # TTL 1: time exceeded comes back, nothing reaches vm2.
    sb.inject("vif1", udp(m1, "00:00:00:00:ff:01", "10.0.0.1", "20.0.0.1", "ttl1", ttl=1))
    p = sb.wait_received("vif1", match=lambda p: p.get("icmp4.type") == 11)[0]
    assert p.get("ip4.src") == "10.0.0.254"
    time.sleep(0.5)
    assert not [x for x in sb.received("vif2") if b"ttl1" in (x.data or b"")]


def _nb_build(sb, switches, vms, routers):
    """SWITCHES: names; VMS: {name: (switch, chassis, vif, mac, ip)};
    ROUTERS: {name: (options, [(lrp, switch, mac, net, gw_chassis)],
    [(prefix, nexthop)], [(type, ext, logical, lport, ext_mac)], [lb vips])}."""
    nb = sb.nb_db()

    def txn_fn(txn):
        T = nb.tables
        sw = {}
        for name in switches:
            sw[name] = txn.insert(T["Logical_Switch"])
            sw[name].name = name
        for name, (s, _, _, mac, ip) in vms.items():
            lsp = txn.insert(T["Logical_Switch_Port"])
            lsp.name, lsp.addresses = name, ["%s %s" % (mac, ip)]
            sw[s].addvalue("ports", lsp.uuid)
        for rname, (opts, ports, routes, nats, lbs) in routers.items():
            lr = txn.insert(T["Logical_Router"])
            lr.name, lr.options = rname, opts
            for lrp_name, s, mac, net, gwc in ports:
                lrp = txn.insert(T["Logical_Router_Port"])
                lrp.name, lrp.mac, lrp.networks = lrp_name, mac, [net]
                if gwc:
                    gc = txn.insert(T["Gateway_Chassis"])
                    gc.name, gc.chassis_name, gc.priority = lrp_name + "-" + gwc, gwc, 10
                    lrp.gateway_chassis = [gc]
                lr.addvalue("ports", lrp.uuid)
                lsp = txn.insert(T["Logical_Switch_Port"])
                lsp.name, lsp.type, lsp.addresses = s + "-" + rname, "router", ["router"]
                lsp.options = {"router-port": lrp_name}
                sw[s].addvalue("ports", lsp.uuid)
            for prefix, nexthop in routes:
                rt = txn.insert(T["Logical_Router_Static_Route"])
                rt.ip_prefix, rt.nexthop = prefix, nexthop
                lr.addvalue("static_routes", rt.uuid)
            for typ, ext, lip, lport, emac in nats:
                n = txn.insert(T["NAT"])
                n.type, n.external_ip, n.logical_ip = typ, ext, lip
                if lport:
                    n.logical_port, n.external_mac = [lport], [emac]
                lr.addvalue("nat", n.uuid)
            for vips in lbs:
                lb = txn.insert(T["Load_Balancer"])
                lb.name, lb.vips, lb.protocol = "lb-" + rname, vips, ["tcp"]
                lr.addvalue("load_balancer", lb.uuid)
    nb.transact(txn_fn)
    for name, (_, ch, vif, mac, _) in vms.items():
        sb.add_vif(ch, vif, name, mac=mac)
    for name, (_, ch, _, _, _) in vms.items():
        assert sb.wait_port_up(name) == ch
    sb.wait_hv()


def test_gateway_router_snat_dnat_lb(sandbox_factory):
    sb = sandbox_factory(chassis=3, northd="py", controller="c")
    vms = {"vm1": ("sw0", "hv1", "vif1", "50:54:00:00:00:01", "10.0.0.1"),
           "ext": ("pub", "hv2", "vifx", "50:54:00:00:09:09", "172.16.0.254")}
    _nb_build(sb, ["sw0", "pub"], vms, {
        "gw": ({"chassis": "hv3"},
               [("gw-sw0", "sw0", "00:00:00:00:fe:01", "10.0.0.254/24", None),
                ("gw-pub", "pub", "00:00:00:00:fe:02", "172.16.0.2/24", None)],
               [("0.0.0.0/0", "172.16.0.254")],
               [("snat", "172.16.0.2", "10.0.0.0/24", None, None),
                ("dnat", "172.16.0.30", "10.0.0.1", None, None)],
               [{"172.16.0.40:80": "10.0.0.1:8080"}])})
    m1, mx = vms["vm1"][3], vms["ext"][3]
    # Outbound through the gateway router on hv3: SNAT to its address.
    sb.inject("vif1", udp(m1, "00:00:00:00:fe:01", "10.0.0.1", "8.8.8.8", "gw-out"))
    p = sb.wait_received("vifx", match=with_text("gw-out"))[0]
    assert p.get("ip4.src") == "172.16.0.2" and p.get("eth.src") == "00:00:00:00:fe:02"
    # Inbound to the DNAT address reaches vm1 with its own address.
    sb.inject("vifx", udp(mx, "00:00:00:00:fe:02", "172.16.0.254", "172.16.0.30", "gw-in"))
    p = sb.wait_received("vif1", match=with_text("gw-in"))[0]
    assert p.get("ip4.dst") == "10.0.0.1" and p.get("ip4.src") == "172.16.0.254"
    # The router's load balancer: VIP:80 -> 10.0.0.1:8080.
    sb.inject("vifx", "eth(src=%s,dst=00:00:00:00:fe:02)/ip4(src=172.16.0.254,"
              "dst=172.16.0.40,ttl=64)/tcp(src=4000,dst=80,flags=S)" % mx)
    p = sb.wait_received("vif1", match=lambda p: p.get("tcp.dst") == 8080)[0]
    assert p.get("ip4.dst") == "10.0.0.1"


def test_distributed_floating_ip_from_own_chassis(sandbox_factory):
    sb = sandbox_factory(chassis=3, northd="py", controller="c")
    vms = {"vm1": ("sw0", "hv1", "vif1", "50:54:00:00:00:01", "10.0.0.1"),
           "vm2": ("sw0", "hv1", "vif2", "50:54:00:00:00:02", "10.0.0.2"),
           "ext": ("pub", "hv3", "vifx", "50:54:00:00:09:09", "172.16.0.254")}
    _nb_build(sb, ["sw0", "pub"], vms, {
        "r0": ({},
               [("r0-sw0", "sw0", "00:00:00:00:ff:01", "10.0.0.254/24", None),
                ("r0-pub", "pub", "00:00:00:00:ff:03", "172.16.0.1/24", "hv2")],
               [("0.0.0.0/0", "172.16.0.254")],
               [("snat", "172.16.0.10", "10.0.0.0/24", None, None),
                ("dnat_and_snat", "172.16.0.20", "10.0.0.1", "vm1",
                 "00:00:00:00:aa:01")],
               [])})
    m1, m2 = vms["vm1"][3], vms["vm2"][3]
    # vm1 has a floating IP: NATed on hv1 itself, sent with the FIP's MAC.
    sb.inject("vif1", udp(m1, "00:00:00:00:ff:01", "10.0.0.1", "8.8.8.8", "fip"))
    p = sb.wait_received("vifx", match=with_text("fip"))[0]
    assert p.get("ip4.src") == "172.16.0.20" and p.get("eth.src") == "00:00:00:00:aa:01"
    # vm2 has none: SNAT on the gateway chassis, with the DGP's MAC.
    sb.inject("vif2", udp(m2, "00:00:00:00:ff:01", "10.0.0.2", "8.8.8.8", "central"))
    p = sb.wait_received("vifx", match=with_text("central"))[0]
    assert p.get("ip4.src") == "172.16.0.10" and p.get("eth.src") == "00:00:00:00:ff:03"


def test_next_hop_arp_fills_mac_binding_and_policy_reroute(sandbox_factory):
    sb = sandbox_factory(chassis=3, northd="py", controller="c")
    vms = {"vm1": ("sw0", "hv1", "vif1", "50:54:00:00:00:01", "10.0.0.1")}
    _nb_build(sb, ["sw0", "sw1"], vms, {
        "r0": ({}, [("r0-sw0", "sw0", "00:00:00:00:ff:01", "10.0.0.254/24", None),
                    ("r0-sw1", "sw1", "00:00:00:00:ff:02", "20.0.0.254/24", None)],
               [("30.0.0.0/24", "20.0.0.7"), ("0.0.0.0/0", "10.0.0.99")], [], [])})
    nb = sb.nb_db()

    def more(txn):
        T = nb.tables
        sw1 = nb.find_one("Logical_Switch", name="sw1")
        lsp = txn.insert(T["Logical_Switch_Port"])
        lsp.name, lsp.addresses = "host", ["unknown"]
        sw1.addvalue("ports", lsp.uuid)
        r0 = nb.find_one("Logical_Router", name="r0")
        pol = txn.insert(T["Logical_Router_Policy"])
        pol.priority, pol.match, pol.action = 100, "ip4.dst == 40.0.0.9", "reroute"
        pol.nexthops = ["20.0.0.7"]
        r0.addvalue("policies", pol.uuid)
    nb.transact(more)
    sb.add_vif("hv2", "vifh", "host", mac="50:54:00:00:07:07")
    assert sb.wait_port_up("host") == "hv2"
    sb.wait_hv()
    m1, mh = vms["vm1"][3], "50:54:00:00:07:07"
    # The next hop 20.0.0.7 is unknown: the router asks for it.
    sb.inject("vif1", udp(m1, "00:00:00:00:ff:01", "10.0.0.1", "30.0.0.5", "first"))
    req = sb.wait_received("vifh", match=lambda p: p.get("arp.op") == 1)[0]
    assert req.get("arp.tpa") == "20.0.0.7" and req.get("arp.spa") == "20.0.0.254"
    # The answer is learned into the SB MAC_Binding table...
    sb.inject("vifh", "eth(src=%s,dst=00:00:00:00:ff:02)/arp(op=2,sha=%s,spa=20.0.0.7,"
              "tha=00:00:00:00:ff:02,tpa=20.0.0.254)" % (mh, mh))
    sdb = Database(sb.sb_remote, "sb").sync()
    try:
        sdb.wait_until(lambda db: any(m.ip == "20.0.0.7" and m.mac == mh and
                                      m.logical_port == "r0-sw1"
                                      for m in db.rows("MAC_Binding")), 20)
    finally:
        sdb.close()
    # ...and the static route now delivers to it,
    def routed(tag):
        return [p for p in sb.received("vifh") if tag.encode() in (p.data or b"")]
    sb.inject("vif1", udp(m1, "00:00:00:00:ff:01", "10.0.0.1", "30.0.0.5", "second"))
    p = sb.wait_received("vifh", match=with_text("second"))[0]
    assert p.get("eth.dst") == mh and p.get("ip4.ttl") == 63
    # as does the policy that reroutes 40.0.0.9 (default route: sw0).
    sb.inject("vif1", udp(m1, "00:00:00:00:ff:01", "10.0.0.1", "40.0.0.9", "policy"))
    p = sb.wait_received("vifh", match=with_text("policy"))[0]
    assert p.get("eth.dst") == mh and p.get("ip4.dst") == "40.0.0.9"
    assert routed("second")


def test_ecmp_route_spreads_flows_and_port_unreachable(sandbox_factory):
    sb = sandbox_factory(chassis=3, northd="py", controller="c")
    vms = {"vm1": ("sw0", "hv1", "vif1", "50:54:00:00:00:01", "10.0.0.1"),
           "h1": ("sw1", "hv2", "vifh1", "50:54:00:00:01:11", "20.0.0.11"),
           "h2": ("sw1", "hv3", "vifh2", "50:54:00:00:01:12", "20.0.0.12")}
    _nb_build(sb, ["sw0", "sw1"], vms, {
        "r0": ({}, [("r0-sw0", "sw0", "00:00:00:00:ff:01", "10.0.0.254/24", None),
                    ("r0-sw1", "sw1", "00:00:00:00:ff:02", "20.0.0.254/24", None)],
               [("40.0.0.0/24", "20.0.0.11"), ("40.0.0.0/24", "20.0.0.12")], [], [])})
    m1 = vms["vm1"][3]
    n = 24
    for i in range(n):
        sb.inject("vif1", "eth(src=%s,dst=00:00:00:00:ff:01)/ip4(src=10.0.0.1,"
                  "dst=40.0.0.%d,ttl=64)/udp(src=%d,dst=2000)/payload(text=ecmp%d)"
                  % (m1, 1 + i, 3000 + 7 * i, i))

    def got(vif):
        return [p for p in sb.received(vif) if b"ecmp" in (p.data or b"")]
    from pyovn.util import proc
    proc.wait_for(lambda: len(got("vifh1")) + len(got("vifh2")) >= n, 15,
                  what="all ECMP packets")
    h1, h2 = got("vifh1"), got("vifh2")
    assert len(h1) + len(h2) == n
    assert h1 and h2, "ECMP sent every flow to one next hop"
    assert all(p.get("eth.dst") == vms["h1"][3] for p in h1)
    assert all(p.get("eth.dst") == vms["h2"][3] for p in h2)
    # UDP to the router's own address: ICMP port unreachable.
    sb.inject("vif1", udp(m1, "00:00:00:00:ff:01", "10.0.0.1", "10.0.0.254", "unreach"))
    p = sb.wait_received("vif1", match=lambda p: p.get("icmp4.type") == 3)[0]
    assert p.get("icmp4.code") == 3 and p.get("ip4.src") == "10.0.0.254"


def test_reside_on_redirect_chassis_over_vlan_localnet(sandbox_factory):
    """A VLAN tenant network (localnet, tag 100) whose router port resides
    on the gateway chassis: vm1's frames to the router leave hv1 as plain
    VLAN frames on the provider network, are routed and SNATed on hv2, and
    reach the external host over the untagged provider network."""
    sb = sandbox_factory(chassis=3, northd="py", controller="c")
    vms = {"vm1": ("sw0", "hv1", "vif1", "50:54:00:00:00:01", "10.0.0.1"),
           "ext": ("pub", "hv3", "vifx", "50:54:00:00:09:09", "172.16.0.254")}
    nb = sb.nb_db()

    def localnets(txn):
        T = nb.tables
        for sw, name, tag in (("sw0", "ln0", 100), ("pub", "lnpub", None)):
            ls = txn.insert(T["Logical_Switch"])
            ls.name = sw
            lsp = txn.insert(T["Logical_Switch_Port"])
            lsp.name, lsp.type, lsp.addresses = name, "localnet", ["unknown"]
            lsp.options = {"network_name": "physnet1"}
            if tag:
                lsp.tag_request = [tag]
            ls.ports = [lsp]
    nb.transact(localnets)
    # _nb_build adds to existing switches of the same name? It creates new
    # ones, so build the rest here by hand.
    def rest(txn):
        T = nb.tables
        sw = {s.name: s for s in nb.rows("Logical_Switch")}
        for name, (s, _, _, mac, ip) in vms.items():
            lsp = txn.insert(T["Logical_Switch_Port"])
            lsp.name, lsp.addresses = name, ["%s %s" % (mac, ip)]
            sw[s].addvalue("ports", lsp.uuid)
        lr = txn.insert(T["Logical_Router"])
        lr.name = "r0"
        for lrp_name, s, mac, net in (("r0-sw0", "sw0", "00:00:00:00:ff:01", "10.0.0.254/24"),
                                      ("r0-pub", "pub", "00:00:00:00:ff:03", "172.16.0.1/24")):
            lrp = txn.insert(T["Logical_Router_Port"])
            lrp.name, lrp.mac, lrp.networks = lrp_name, mac, [net]
            if lrp_name == "r0-sw0":
                lrp.options = {"reside-on-redirect-chassis": "true"}
            else:
                gc = txn.insert(T["Gateway_Chassis"])
                gc.name, gc.chassis_name, gc.priority = "gc-hv2", "hv2", 10
                lrp.gateway_chassis = [gc]
            lr.addvalue("ports", lrp.uuid)
            lsp = txn.insert(T["Logical_Switch_Port"])
            lsp.name, lsp.type, lsp.addresses = s + "-r0", "router", ["router"]
            lsp.options = {"router-port": lrp_name}
            sw[s].addvalue("ports", lsp.uuid)
        rt = txn.insert(T["Logical_Router_Static_Route"])
        rt.ip_prefix, rt.nexthop = "0.0.0.0/0", "172.16.0.254"
        lr.static_routes = [rt]
        n = txn.insert(T["NAT"])
        n.type, n.external_ip, n.logical_ip = "snat", "172.16.0.10", "10.0.0.0/24"
        lr.nat = [n]
    nb.transact(rest)
    for name, (_, ch, vif, mac, _) in vms.items():
        sb.add_vif(ch, vif, name, mac=mac)
    for name, (_, ch, _, _, _) in vms.items():
        assert sb.wait_port_up(name) == ch
    sb.wait_hv()
    m1 = vms["vm1"][3]
    sb.inject("vif1", udp(m1, "00:00:00:00:ff:01", "10.0.0.1", "8.8.8.8", "reside"))
    p = sb.wait_received("vifx", match=with_text("reside"))[0]
    assert p.get("ip4.src") == "172.16.0.10" and p.get("eth.src") == "00:00:00:00:ff:03"
    # hv1 sent it on the provider network, VLAN-tagged, to the router MAC.
    out = [x for x in sb.underlay("hv1") if b"reside" in (x.data or b"")]
    assert out and all("geneve" not in x.summary() for x in out), \
        [x.summary() for x in out]
    assert all(x.get("vlan.vid") == 100 for x in out), [x.summary() for x in out]


def _bridged_run(sandbox_factory, northd):
    sb = sandbox_factory(chassis=3, northd=northd, controller="c")
    for i, ch in enumerate(("hv1", "hv2", "hv3")):
        sb.vsctl(ch, "set", "open", ".",
                 "external-ids:ovn-chassis-mac-mappings=physnet1:aa:bb:cc:00:00:0%d" % (i + 1))
    vms = {"vm1": ("sw0", "hv1", "vif1", "50:54:00:00:00:01", "10.0.0.1"),
           "ext": ("pub", "hv3", "vifx", "50:54:00:00:09:09", "172.16.0.254")}
    nb = sb.nb_db()

    def build(txn):
        T = nb.tables
        sw = {}
        for name, lnname, tag in (("sw0", "ln0", 100), ("pub", "lnpub", None)):
            ls = txn.insert(T["Logical_Switch"])
            ls.name = name
            lsp = txn.insert(T["Logical_Switch_Port"])
            lsp.name, lsp.type, lsp.addresses = lnname, "localnet", ["unknown"]
            lsp.options = {"network_name": "physnet1"}
            if tag:
                lsp.tag_request = [tag]
            ls.addvalue("ports", lsp.uuid)
            sw[name] = ls
        for name, (s, _, _, mac, ip) in vms.items():
            lsp = txn.insert(T["Logical_Switch_Port"])
            lsp.name, lsp.addresses = name, ["%s %s" % (mac, ip)]
            sw[s].addvalue("ports", lsp.uuid)
        lr = txn.insert(T["Logical_Router"])
        lr.name = "r0"
        for lrp_name, s, mac, net in (("r0-sw0", "sw0", "00:00:00:00:ff:01", "10.0.0.254/24"),
                                      ("r0-pub", "pub", "00:00:00:00:ff:03", "172.16.0.1/24")):
            lrp = txn.insert(T["Logical_Router_Port"])
            lrp.name, lrp.mac, lrp.networks = lrp_name, mac, [net]
            if lrp_name == "r0-pub":
                lrp.options = {"redirect-type": "bridged"}
                gc = txn.insert(T["Gateway_Chassis"])
                gc.name, gc.chassis_name, gc.priority = "gc-hv2", "hv2", 10
                lrp.gateway_chassis = [gc]
            lr.addvalue("ports", lrp.uuid)
            lsp = txn.insert(T["Logical_Switch_Port"])
            lsp.name, lsp.type, lsp.addresses = s + "-r0", "router", ["router"]
            lsp.options = {"router-port": lrp_name}
            sw[s].addvalue("ports", lsp.uuid)
        rt = txn.insert(T["Logical_Router_Static_Route"])
        rt.ip_prefix, rt.nexthop = "0.0.0.0/0", "172.16.0.254"
        lr.static_routes = [rt]
        n = txn.insert(T["NAT"])
        n.type, n.external_ip, n.logical_ip = "snat", "172.16.0.10", "10.0.0.0/24"
        lr.nat = [n]
    nb.transact(build)
    for name, (_, ch, vif, mac, _) in vms.items():
        sb.add_vif(ch, vif, name, mac=mac)
    for name, (_, ch, _, _, _) in vms.items():
        assert sb.wait_port_up(name) == ch
    sb.wait_hv()
    m1 = vms["vm1"][3]
    sb.inject("vif1", udp(m1, "00:00:00:00:ff:01", "10.0.0.1", "8.8.8.8", "bridged"))
    p = sb.wait_received("vifx", match=with_text("bridged"))[0]
    time.sleep(0.5)
    out = [x for x in sb.underlay("hv1") if b"bridged" in (x.data or b"")]
    seen = (p.get("ip4.src"), p.get("eth.src"), p.get("eth.dst"), p.get("ip4.ttl"),
            sorted(x.summary() for x in out))
    sb.down()
    return seen


def test_bridged_redirect_same_as_with_c_northd(sandbox_factory):
    """redirect-type=bridged, VLAN tenant network behind a DGP, provider
    network shared by the chassis (ovn-chassis-mac-mappings set): the packet
    the external host gets, and what hv1 puts on the provider network, are
    the same with pyovn northd as with C ovn-northd."""
    py = _bridged_run(sandbox_factory, "py")
    c = _bridged_run(sandbox_factory, "c")
    assert py == c
    assert py[4] and all("geneve" not in x for x in py[4]), py
