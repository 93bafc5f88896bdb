"""Router pipeline (northd part 2) against C OVN 23.03 as a test-only peer:
C ovn-northd over the same NB writes the reference SB and every router
and switch stage must match flow for flow; C ovn-trace walks packets through the SB
pyovn northd wrote (routing, ICMP echo reply, TTL exceeded, SNAT/DNAT)."""

import os
import re
import shutil
import subprocess

import pytest

from pyovn.db.idl import Database
from pyovn.northd import engine, sb_core
from pyovn.northd.log import Problems
from pyovn.util import proc

from northd_testlib import wait_sb_synced
from cmp_c import sb_flows

pytestmark = [pytest.mark.peer,
              pytest.mark.skipif(shutil.which("ovn-northd") is None or
                                 shutil.which("ovn-trace") is None,
                                 reason="C OVN not installed")]

# Two switches behind a router: connected routes (IPv4, IPv6 and link-local),
# static routes, ARP/ND responder, ICMP, TTL exceeded, neighbor learning.
BASIC = """
ls-add sw0
lsp-add sw0 vm1 -- lsp-set-addresses vm1 "00:00:00:00:00:01 10.0.0.1"
ls-add sw1
lsp-add sw1 vm2 -- lsp-set-addresses vm2 "00:00:00:00:01:01 20.0.0.1 fd01::1"
lr-add r0
lrp-add r0 r0-sw0 00:00:00:00:ff:01 10.0.0.254/24
lrp-add r0 r0-sw1 00:00:00:00:ff:02 20.0.0.254/24 fd01::fe/64
lsp-add sw0 sw0-r0 -- lsp-set-type sw0-r0 router -- lsp-set-addresses sw0-r0 router -- lsp-set-options sw0-r0 router-port=r0-sw0
lsp-add sw1 sw1-r0 -- lsp-set-type sw1-r0 router -- lsp-set-addresses sw1-r0 router -- lsp-set-options sw1-r0 router-port=r0-sw1
lr-route-add r0 30.0.0.0/24 20.0.0.100
lr-route-add r0 0.0.0.0/0 20.0.0.200
"""

# A distributed gateway port (gateway_chassis rows) with SNAT, centralized
# and distributed dnat_and_snat; ECMP and src-ip routes; policies (drop,
# allow, reroute with pkt_mark, ECMP reroute); a port with two networks; a
# gateway router with SNAT, DNAT and a load balancer, on a shared external
# switch with a localnet port.
GATEWAYS = """
ls-add sw0
lsp-add sw0 vm1 -- lsp-set-addresses vm1 "00:00:00:00:00:01 10.0.0.1"
ls-add sw1
lsp-add sw1 vm2 -- lsp-set-addresses vm2 "00:00:00:00:01:01 20.0.0.1"
ls-add pub
lsp-add pub ln -- lsp-set-type ln localnet -- lsp-set-addresses ln unknown -- lsp-set-options ln network_name=phys
lr-add r0
lrp-add r0 r0-sw0 00:00:00:00:ff:01 10.0.0.254/24
lrp-add r0 r0-sw1 00:00:00:00:ff:02 20.0.0.254/24 20.1.0.254/16
lrp-add r0 r0-pub 00:00:00:00:ff:03 172.16.0.1/24
lsp-add sw0 sw0-r0 -- lsp-set-type sw0-r0 router -- lsp-set-addresses sw0-r0 router -- lsp-set-options sw0-r0 router-port=r0-sw0
lsp-add sw1 sw1-r0 -- lsp-set-type sw1-r0 router -- lsp-set-addresses sw1-r0 router -- lsp-set-options sw1-r0 router-port=r0-sw1
lsp-add pub pub-r0 -- lsp-set-type pub-r0 router -- lsp-set-addresses pub-r0 router -- lsp-set-options pub-r0 router-port=r0-pub nat-addresses=router
lrp-set-gateway-chassis r0-pub hv1 20
lrp-set-gateway-chassis r0-pub hv2 10
lr-route-add r0 0.0.0.0/0 172.16.0.254
--ecmp lr-route-add r0 40.0.0.0/24 20.0.0.100
--ecmp lr-route-add r0 40.0.0.0/24 20.0.0.101
--policy=src-ip lr-route-add r0 10.0.0.0/25 20.0.0.102
lr-nat-add r0 snat 172.16.0.10 10.0.0.0/24
lr-nat-add r0 dnat_and_snat 172.16.0.20 10.0.0.1 vm1 00:00:00:00:aa:01
lr-nat-add r0 dnat_and_snat 172.16.0.21 20.0.0.1
lr-policy-add r0 1000 "ip4.src == 10.0.0.0/24 && ip4.dst == 99.0.0.0/8" drop
lr-policy-add r0 900 "ip4.src == 10.0.0.5" reroute 20.0.0.111 pkt_mark=7
lr-policy-add r0 800 "ip4.src == 10.0.0.6" reroute 20.0.0.111,20.0.0.112
lr-policy-add r0 700 "ip4.src == 10.0.0.7" allow
ls-add sw3
lsp-add sw3 vm3 -- lsp-set-addresses vm3 "00:00:00:00:03:01 30.0.0.1"
lr-add gw -- set logical_router gw options:chassis=hv3
lrp-add gw gw-sw3 00:00:00:00:fe:01 30.0.0.254/24
lrp-add gw gw-pub 00:00:00:00:fe:02 172.16.0.2/24
lsp-add sw3 sw3-gw -- lsp-set-type sw3-gw router -- lsp-set-addresses sw3-gw router -- lsp-set-options sw3-gw router-port=gw-sw3
lsp-add pub pub-gw -- lsp-set-type pub-gw router -- lsp-set-addresses pub-gw router -- lsp-set-options pub-gw router-port=gw-pub
lr-route-add gw 0.0.0.0/0 172.16.0.254
lr-nat-add gw snat 172.16.0.2 30.0.0.0/24
lr-nat-add gw dnat 172.16.0.30 30.0.0.1
lb-add lbg 172.16.0.40:80 30.0.0.1:8080,30.0.0.2:8080 tcp
lr-lb-add gw lbg
"""

# C names the address set of a router's LB VIPs after an internal datapath
# index, pyovn after the datapath's tunnel key: compare them by contents.
_RTR_LB = re.compile(r"\$_rtr_lb_\d+_")
_SRC_SET = re.compile(r"eth\.src == \{([^}]*)\}")
_ECMP = re.compile(r"reg8\[16\.\.31\] == \d+")
# Port tunnel keys (in ct_mark.ecmp_reply_port) follow each northd's own
# allocation order.
_REPLY_PORT = re.compile(r"ecmp_reply_port (==|=) \d+")


def _normalize(flows):
    """ECMP member ids are assigned in hash order by C; compare members as
    a multiset per group by blanking the member id."""
    out = set()
    for dp, stage, prio, match, actions in flows:
        if stage in ("lr_in_ip_routing_ecmp", "lr_in_policy_ecmp"):
            match = _ECMP.sub("reg8[16..31] == *", match)
        match = _RTR_LB.sub("$_rtr_lb_N_", match)
        # C lists a router's ARP source MACs in hash order.
        match = _SRC_SET.sub(lambda m: "eth.src == {%s}" % ", ".join(
            sorted(m.group(1).split(", "))), match)
        match = _REPLY_PORT.sub(r"ecmp_reply_port \1 K", match)
        actions = _REPLY_PORT.sub(r"ecmp_reply_port \1 K", actions)
        out.add((dp, stage, prio, match, actions))
    return out


def _nat_addrs(entries):
    """nat_addresses entries with their IPs in sorted order (C lists them in
    NAT row hash order)."""
    out = set()
    for e in entries:
        words = e.split()
        rest = [w for w in words[1:] if w.startswith("is_chassis")]
        ips = sorted(w for w in words[1:] if not w.startswith("is_chassis"))
        out.add(" ".join([words[0]] + ips + rest))
    return frozenset(out)


def nbctl_script(remote, script):
    env = dict(os.environ, OVN_NB_DB=remote)
    for line in script.strip().splitlines():
        subprocess.run("ovn-nbctl %s" % line, shell=True, check=True,
                       capture_output=True, text=True, env=env)


@pytest.fixture
def c_northd(ovsdb, rundir):
    nb = ovsdb("nb")
    sbc = ovsdb("sb", name="sb_c")
    pidfile = rundir + "/c-northd.pid"
    proc.run(["ovn-northd", "--detach", "--no-chdir", "--pidfile=" + pidfile,
              "--log-file=" + rundir + "/c-northd.log", "--ovnnb-db=" + nb.remote,
              "--ovnsb-db=" + sbc.remote, "--unixctl=" + rundir + "/c-northd.ctl"])
    yield nb, sbc
    proc.stop_pid(proc.read_pidfile(pidfile))


def _compare(c_northd, script):
    nb_srv, sbc_srv = c_northd
    nbctl_script(nb_srv.remote, script)
    subprocess.run(["ovn-nbctl", "--db=" + nb_srv.remote, "--wait=sb", "--timeout=20",
                    "sync"], check=True)
    sbc = Database(sbc_srv.remote, "sb").sync()
    nb = Database(nb_srv.remote, "nb").sync()
    try:
        problems = Problems()
        r = engine.compute(nb, sb_core.SbView(), problems)
        # Router stages, and the switch stages (router ports on switches:
        # ARP for NAT/LB addresses, DGP residency) of the same topology.
        c = sb_flows(sbc)
        py = {(dp.name, f.stage.name, f.priority, f.match, f.actions)
              for f in r.lflows for dp in f.datapaths}
        c_only = sorted(_normalize(c) - _normalize(py))
        py_only = sorted(_normalize(py) - _normalize(c))
        assert not c_only and not py_only, "C only:\n%s\npyovn only:\n%s" % (
            "\n".join(map(str, c_only[:30])), "\n".join(map(str, py_only[:30])))
        pb_c = {(p.logical_port, p.type, tuple(sorted(p.options.items())), tuple(p.mac),
                 _nat_addrs(p.nat_addresses), bool(p.ha_chassis_group))
                for p in sbc.rows("Port_Binding")}
        pb_py = {(k, v["type"], tuple(sorted(v["options"].items())), tuple(v["mac"]),
                  _nat_addrs(v.get("nat_addresses", [])), bool(v.get("ha_chassis_group")))
                 for k, v in r.desired.tables["Port_Binding"].items()}
        assert pb_c == pb_py, (sorted(pb_c - pb_py), sorted(pb_py - pb_c))
        ha_c = {(g.name, frozenset((h.external_ids["chassis-name"], h.priority)
                                   for h in g.ha_chassis))
                for g in sbc.rows("HA_Chassis_Group")}
        ha_py = {(name, frozenset(ref.key for ref in cols["ha_chassis"]))
                 for name, cols in r.desired.tables.get("HA_Chassis_Group", {}).items()}
        assert ha_c == ha_py
        as_c = sorted(sorted(a.addresses) for a in sbc.rows("Address_Set")
                      if a.name.startswith("_rtr_lb_"))
        as_py = sorted(sorted(cols["addresses"]) for name, cols in
                       r.desired.tables["Address_Set"].items()
                       if name.startswith("_rtr_lb_"))
        assert as_c == as_py
        return c, py, problems
    finally:
        sbc.close()
        nb.close()


def test_basic_router_flows_match_c_northd(c_northd):
    c, py, problems = _compare(c_northd, BASIC)
    assert len(c) > 100
    assert not problems.current


def test_gateway_nat_policy_flows_match_c_northd(c_northd):
    c, py, problems = _compare(c_northd, GATEWAYS)
    assert len(c) > 250
    assert not problems.current


# NB ha_chassis_group with reside-on-redirect-chassis, gateway_mtu, route
# tables, an IPv6 static route, a discard route, symmetric-reply ECMP,
# stateless dnat_and_snat, dnat, a load balancer on a DGP router and IPv6
# router advertisements (flows and periodic-RA binding options).
MORE = """
ls-add sw0
lsp-add sw0 vm1 -- lsp-set-addresses vm1 "00:00:00:00:00:01 10.0.0.1 fd00::1"
ls-add sw1
lsp-add sw1 vm2 -- lsp-set-addresses vm2 "00:00:00:00:01:01 20.0.0.1"
ls-add pub
lsp-add pub ln -- lsp-set-type ln localnet -- lsp-set-addresses ln unknown -- lsp-set-options ln network_name=phys
lr-add r1
lrp-add r1 r1-sw0 00:00:00:00:ff:01 10.0.0.254/24 fd00::fe/64
lrp-add r1 r1-sw1 00:00:00:00:ff:02 20.0.0.254/24
lrp-add r1 r1-pub 00:00:00:00:ff:03 172.16.0.1/24 fd99::1/64
lsp-add sw0 sw0-r1 -- lsp-set-type sw0-r1 router -- lsp-set-addresses sw0-r1 router -- lsp-set-options sw0-r1 router-port=r1-sw0
lsp-add sw1 sw1-r1 -- lsp-set-type sw1-r1 router -- lsp-set-addresses sw1-r1 router -- lsp-set-options sw1-r1 router-port=r1-sw1
lsp-add pub pub-r1 -- lsp-set-type pub-r1 router -- lsp-set-addresses pub-r1 router -- lsp-set-options pub-r1 router-port=r1-pub
ha-chassis-group-add hag1
ha-chassis-group-add-chassis hag1 hv1 30
ha-chassis-group-add-chassis hag1 hv2 20
set logical_router_port r1-pub ha_chassis_group=@HAG1@
set logical_router_port r1-pub options:reside-on-redirect-chassis=true
set logical_router_port r1-sw1 options:route_table=rtb1
set logical_router_port r1-pub options:gateway_mtu=1400
lr-route-add r1 0.0.0.0/0 172.16.0.254
--route-table=rtb1 lr-route-add r1 0.0.0.0/0 172.16.0.253
lr-route-add r1 fd55::/64 fd99::99
lr-route-add r1 60.0.0.0/24 discard
--ecmp-symmetric-reply lr-route-add r1 70.0.0.0/24 172.16.0.201
--ecmp-symmetric-reply lr-route-add r1 70.0.0.0/24 172.16.0.202
lr-nat-add r1 snat 172.16.0.10 10.0.0.0/24
--stateless lr-nat-add r1 dnat_and_snat 172.16.0.22 20.0.0.1
lr-nat-add r1 dnat 172.16.0.23 10.0.0.1
set logical_router_port r1-sw0 ipv6_ra_configs:address_mode=slaac ipv6_ra_configs:send_periodic=true
lb-add lbd 172.16.0.50:80 10.0.0.1:80
lr-lb-add r1 lbd
"""


def test_ha_group_mtu_ra_stateless_lb_flows_match_c_northd(c_northd):
    script = MORE.replace(
        "@HAG1@", "$(ovn-nbctl --bare --columns=_uuid find ha_chassis_group name=hag1)")
    c, py, problems = _compare(c_northd, script)
    assert len(c) > 150
    assert not problems.current


# --- C ovn-trace over pyovn's SB -----------------------------------------
def trace(sb_remote, dp, microflow, ct="new"):
    out = subprocess.run(["ovn-trace", "--db=" + sb_remote, "--ct=" + ct, dp, microflow],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return out.stdout


def _topology(nb):
    nb.ls("sw0")
    nb.lsp("sw0", "vm1", ["00:00:00:00:00:01 10.0.0.1"])
    nb.ls("sw1")
    nb.lsp("sw1", "vm2", ["00:00:00:00:01:01 20.0.0.1"])
    nb.lr("r0")
    nb.lrp("r0", "r0-sw0", "00:00:00:00:ff:01", ["10.0.0.254/24"])
    nb.lrp("r0", "r0-sw1", "00:00:00:00:ff:02", ["20.0.0.254/24"])
    nb.lsp("sw0", "sw0-r0", ["router"], type="router", options={"router-port": "r0-sw0"})
    nb.lsp("sw1", "sw1-r0", ["router"], type="router", options={"router-port": "r0-sw1"})


def test_c_ovn_trace_routes_over_pyovn_sb(dbs, nb, northd):
    northd()
    _topology(nb)
    wait_sb_synced(nb)
    sbr = dbs[1].remote
    base = ('inport == "vm1" && eth.src == 00:00:00:00:00:01 && '
            'eth.dst == 00:00:00:00:ff:01 && ip4.src == 10.0.0.1 && ip.ttl == 64')
    # Routed: TTL decremented, MACs rewritten, delivered to vm2 on sw1.
    out = trace(sbr, "sw0", base + " && ip4.dst == 20.0.0.1 && udp")
    assert "ip.ttl--;" in out and "eth.src = 00:00:00:00:ff:02;" in out, out
    assert "eth.dst = 00:00:00:00:01:01;" in out, out
    assert 'output to "vm2"' in out, out
    # ICMP echo to the router's own address: reply goes back to vm1.
    out = trace(sbr, "sw0", base + " && ip4.dst == 10.0.0.254 && icmp4 && "
                "icmp4.type == 8 && icmp4.code == 0")
    assert "icmp4.type = 0;" in out and 'output to "vm1"' in out, out
    assert 'output to "vm2"' not in out, out
    # TTL 1: time exceeded back to the sender, nothing forwarded.
    out = trace(sbr, "sw0", base.replace("ip.ttl == 64", "ip.ttl == 1") +
                " && ip4.dst == 20.0.0.1 && udp")
    assert "icmp4.type = 11;" in out and 'output to "vm1"' in out, out
    assert 'output to "vm2"' not in out, out
    # No route: dropped in the router.
    out = trace(sbr, "sw0", base + " && ip4.dst == 99.0.0.1 && udp")
    assert 'output to "vm' not in out and "lr_in_ip_routing" in out, out
    # Unknown next hop MAC: the router sends an ARP request for it.
    nb.lsp("sw1", "vm3", ["00:00:00:00:01:03"])
    wait_sb_synced(nb)
    out = trace(sbr, "sw0", base + " && ip4.dst == 20.0.0.7 && udp")
    assert "get_arp(outport, reg0);" in out and "arp.op = 1;" in out, out


def test_c_ovn_trace_gateway_router_snat_dnat(dbs, nb, northd):
    northd()
    nb.ls("in")
    nb.lsp("in", "vm", ["00:00:00:00:00:11 30.0.0.1"])
    nb.ls("pub")
    nb.lsp("pub", "ext", ["00:00:00:00:00:99 172.16.0.254"])
    nb.lr("gw", options={"chassis": "hv3"})
    nb.lrp("gw", "gw-in", "00:00:00:00:fe:01", ["30.0.0.254/24"])
    nb.lrp("gw", "gw-pub", "00:00:00:00:fe:02", ["172.16.0.2/24"])
    nb.lsp("in", "in-gw", ["router"], type="router", options={"router-port": "gw-in"})
    nb.lsp("pub", "pub-gw", ["router"], type="router", options={"router-port": "gw-pub"})
    holder = {}

    def add_nat(txn):
        db = nb.db
        gw = [r for r in db.rows("Logical_Router") if r.name == "gw"][0]
        for typ, ext, lip in (("snat", "172.16.0.2", "30.0.0.0/24"),
                              ("dnat", "172.16.0.30", "30.0.0.1")):
            n = txn.insert(db.tables["NAT"])
            n.type, n.external_ip, n.logical_ip = typ, ext, lip
            gw.addvalue("nat", n.uuid)
        r = txn.insert(db.tables["Logical_Router_Static_Route"])
        r.ip_prefix, r.nexthop = "0.0.0.0/0", "172.16.0.254"
        gw.addvalue("static_routes", r.uuid)
        holder["ok"] = True
    nb.db.transact(add_nat)
    wait_sb_synced(nb)
    sbr = dbs[1].remote
    # Port bindings of a gateway router are l3gateway bindings on hv3.
    sb = Database(sbr, "sb").sync()
    pbs = {p.logical_port: p for p in sb.rows("Port_Binding")}
    assert pbs["gw-pub"].type == "l3gateway" and pbs["pub-gw"].type == "l3gateway"
    assert pbs["gw-pub"].options["l3gateway-chassis"] == "hv3"
    sb.close()
    # Outbound: SNAT to the router's external address, sent to the default
    # route's next hop.
    out = trace(sbr, "in", 'inport == "vm" && eth.src == 00:00:00:00:00:11 && '
                'eth.dst == 00:00:00:00:fe:01 && ip4.src == 30.0.0.1 && '
                'ip4.dst == 8.8.8.8 && ip.ttl == 64 && udp')
    assert "ct_snat(172.16.0.2)" in out and 'output to "ext"' in out, out
    # Inbound to the DNAT address: DNAT to the VM.
    out = trace(sbr, "pub", 'inport == "ext" && eth.src == 00:00:00:00:00:99 && '
                'eth.dst == 00:00:00:00:fe:02 && ip4.src == 172.16.0.254 && '
                'ip4.dst == 172.16.0.30 && ip.ttl == 64 && tcp && tcp.dst == 22')
    assert "ct_dnat(30.0.0.1)" in out and 'output to "vm"' in out, out


# Gateway router options and NAT details: dnat_force_snat_ip, stateless
# dnat_and_snat, SNAT with a port range and allowed_ext_ips, LBs with
# skip_snat and affinity; a second gateway router without NAT.
GW_OPTIONS = """
ls-add sw3
lsp-add sw3 vm3 -- lsp-set-addresses vm3 "00:00:00:00:03:01 30.0.0.1"
ls-add pub
lr-add gw -- set logical_router gw options:chassis=hv3 options:lb_force_snat_ip=router options:dnat_force_snat_ip=172.16.0.99
lrp-add gw gw-sw3 00:00:00:00:fe:01 30.0.0.254/24
lrp-add gw gw-pub 00:00:00:00:fe:02 172.16.0.2/24
lsp-add sw3 sw3-gw -- lsp-set-type sw3-gw router -- lsp-set-addresses sw3-gw router -- lsp-set-options sw3-gw router-port=gw-sw3
lsp-add pub pub-gw -- lsp-set-type pub-gw router -- lsp-set-addresses pub-gw router -- lsp-set-options pub-gw router-port=gw-pub
lr-route-add gw 0.0.0.0/0 172.16.0.254
lr-nat-add gw snat 172.16.0.3 30.0.0.0/24
lr-nat-add gw dnat_and_snat 172.16.0.31 30.0.0.1
--stateless lr-nat-add gw dnat_and_snat 172.16.0.32 30.0.0.2
lr-nat-add gw dnat 172.16.0.30 30.0.0.5
--portrange lr-nat-add gw snat 172.16.0.33 30.0.1.0/24 1000-2000
create address_set name=as1 addresses="1.1.1.0/24"
set nat $(ovn-nbctl --bare --columns=_uuid find nat external_ip=172.16.0.33) allowed_ext_ips=$(ovn-nbctl --bare --columns=_uuid find address_set name=as1)
lb-add lbg 172.16.0.40:80 30.0.0.1:8080,30.0.0.2:8080 tcp
lb-add lbs 172.16.0.41 30.0.0.3 -- set load_balancer lbs options:skip_snat=true
lb-add lba 172.16.0.42:443 30.0.0.4:443 tcp -- set load_balancer lba options:affinity_timeout=30
lr-lb-add gw lbg
lr-lb-add gw lbs
lr-lb-add gw lba
lr-add gw2 -- set logical_router gw2 options:chassis=hv4
lrp-add gw2 gw2-pub 00:00:00:00:fe:09 172.16.0.9/24
lsp-add pub pub-gw2 -- lsp-set-type pub-gw2 router -- lsp-set-addresses pub-gw2 router -- lsp-set-options pub-gw2 router-port=gw2-pub
lrp-add gw2 gw2-x 00:00:00:00:fe:0a 40.0.0.1/24
"""


def test_gateway_router_options_flows_match_c_northd(c_northd):
    c, py, problems = _compare(c_northd, GW_OPTIONS)
    assert len(c) > 200
    assert not problems.current


# Gateway router with ECMP symmetric reply, lb_force_snat_ip addresses,
# IPv6 NAT and an IPv6 LB; a router with two DGPs and NAT on each, and a
# disabled port.
MORE_GW = """
ls-add sw0
lsp-add sw0 vm1 -- lsp-set-addresses vm1 "00:00:00:00:00:01 10.0.0.1 fd00::1"
ls-add pub
ls-add pub2
lr-add gw -- set logical_router gw options:chassis=hv3 options:lb_force_snat_ip="172.16.0.98 fd99::98"
lrp-add gw gw-sw0 00:00:00:00:fe:01 10.0.0.254/24 fd00::fe/64
lrp-add gw gw-pub 00:00:00:00:fe:02 172.16.0.2/24 fd99::2/64
lsp-add sw0 sw0-gw -- lsp-set-type sw0-gw router -- lsp-set-addresses sw0-gw router -- lsp-set-options sw0-gw router-port=gw-sw0
lsp-add pub pub-gw -- lsp-set-type pub-gw router -- lsp-set-addresses pub-gw router -- lsp-set-options pub-gw router-port=gw-pub
--ecmp-symmetric-reply lr-route-add gw 0.0.0.0/0 172.16.0.201
--ecmp-symmetric-reply lr-route-add gw 0.0.0.0/0 172.16.0.202
lr-nat-add gw dnat_and_snat fd99::31 fd00::1
lr-nat-add gw snat fd99::30 fd00::/64
lb-add lb6 [fd99::40]:80 [fd00::1]:8080 tcp
lb-add lb4 172.16.0.40:80 10.0.0.1:8080 tcp
lr-lb-add gw lb6
lr-lb-add gw lb4
ls-lb-add sw0 lb4
ls-add sw5
lsp-add sw5 vm5 -- lsp-set-addresses vm5 "00:00:00:00:05:01 50.0.0.1"
lr-add r5
lrp-add r5 r5-sw5 00:00:00:00:f5:01 50.0.0.254/24
lrp-add r5 r5-pub 00:00:00:00:f5:02 172.16.0.5/24
lrp-add r5 r5-pub2 00:00:00:00:f5:03 192.168.0.5/24
lrp-add r5 r5-off 00:00:00:00:f5:04 60.0.0.1/24 -- set logical_router_port r5-off enabled=false
lsp-add sw5 sw5-r5 -- lsp-set-type sw5-r5 router -- lsp-set-addresses sw5-r5 router -- lsp-set-options sw5-r5 router-port=r5-sw5
lsp-add pub pub-r5 -- lsp-set-type pub-r5 router -- lsp-set-addresses pub-r5 router -- lsp-set-options pub-r5 router-port=r5-pub
lsp-add pub2 pub2-r5 -- lsp-set-type pub2-r5 router -- lsp-set-addresses pub2-r5 router -- lsp-set-options pub2-r5 router-port=r5-pub2
lrp-set-gateway-chassis r5-pub hv1 10
lrp-set-gateway-chassis r5-pub2 hv2 10
lr-nat-add r5 snat 172.16.0.50 50.0.0.0/24
lr-nat-add r5 snat 192.168.0.50 50.0.0.0/24
lr-nat-add r5 dnat_and_snat 192.168.0.51 50.0.0.1
lr-route-add r5 0.0.0.0/0 172.16.0.254
"""


def test_symmetric_ecmp_ipv6_nat_two_dgps_flows_match_c_northd(c_northd):
    c, py, problems = _compare(c_northd, MORE_GW)
    assert len(c) > 250
    assert not problems.current


# redirect-type=bridged, gateway_mtu_bypass, a BFD-monitored route and
# always_learn_from_arp_request=false.
BRIDGED_BFD = """
ls-add sw0
lsp-add sw0 vm1 -- lsp-set-addresses vm1 "00:00:00:00:00:01 10.0.0.1"
ls-add pub
lsp-add pub ln -- lsp-set-type ln localnet -- lsp-set-addresses ln unknown -- lsp-set-options ln network_name=phys
lr-add r0 -- set logical_router r0 options:always_learn_from_arp_request=false
lrp-add r0 r0-sw0 00:00:00:00:ff:01 10.0.0.254/24
lrp-add r0 r0-pub 00:00:00:00:ff:03 172.16.0.1/24 -- set logical_router_port r0-pub options:redirect-type=bridged options:gateway_mtu=1500 options:gateway_mtu_bypass=tcp
lsp-add sw0 sw0-r0 -- lsp-set-type sw0-r0 router -- lsp-set-addresses sw0-r0 router -- lsp-set-options sw0-r0 router-port=r0-sw0
lsp-add pub pub-r0 -- lsp-set-type pub-r0 router -- lsp-set-addresses pub-r0 router -- lsp-set-options pub-r0 router-port=r0-pub
lrp-set-gateway-chassis r0-pub hv1 20
--bfd lr-route-add r0 0.0.0.0/0 172.16.0.254 r0-pub
lr-nat-add r0 snat 172.16.0.10 10.0.0.0/24
"""


def test_bridged_bfd_mtu_bypass_learning_flows_match_c_northd(c_northd):
    c, py, problems = _compare(c_northd, BRIDGED_BFD)
    assert len(c) > 100
    assert any("handle_bfd_msg" in f[4] for f in py)
    assert not problems.current


# Multicast relay on a router (no IGMP groups yet), IPv6 networks.
MCAST = """
ls-add sw0 -- set logical_switch sw0 other_config:mcast_snoop=true
lsp-add sw0 p1 -- lsp-set-addresses p1 "00:00:00:00:00:01 10.0.0.1"
lr-add r0 -- set logical_router r0 options:mcast_relay=true
lrp-add r0 r0-sw0 00:00:00:00:ff:01 10.0.0.254/24 fd00::fe/64
lsp-add sw0 sw0-r0 -- lsp-set-type sw0-r0 router -- lsp-set-addresses sw0-r0 router -- lsp-set-options sw0-r0 router-port=r0-sw0
"""


def test_mcast_relay_flows_match_c_northd(c_northd):
    c, py, problems = _compare(c_northd, MCAST)
    assert any(f[1] == "lr_out_delivery" and f[2] == 110 for f in py)


def test_bench_topology_router_flows_match_c_northd(c_northd):
    """The benchmark's reference topology (distributed routers on a join
    switch, a gateway router with SNAT per subnet, static routes, an LB
    group on the gateway router): router stages equal C's."""
    import sys
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))
    from bench import topology
    nb_srv, sbc_srv = c_northd
    nb = Database(nb_srv.remote, "nb").sync()
    topology.populate(nb, 12, 3)
    subprocess.run(["ovn-nbctl", "--db=" + nb_srv.remote, "--wait=sb", "--timeout=30",
                    "sync"], check=True)
    nb.run()
    sbc = Database(sbc_srv.remote, "sb").sync()
    try:
        r = engine.compute(nb, sb_core.SbView(), Problems())
        c = _normalize(f for f in sb_flows(sbc) if f[1].startswith("lr_"))
        py = _normalize((dp.name, f.stage.name, f.priority, f.match, f.actions)
                        for f in r.lflows for dp in f.datapaths
                        if f.stage.dp_type == "lr")
        assert len(c) > 300
        c_only, py_only = sorted(c - py), sorted(py - c)
        assert not c_only and not py_only, (c_only[:20], py_only[:20], sorted(f for f in c if "_rtr_lb" in f[3]))
    finally:
        sbc.close()
        nb.close()


# Several networks per port, IPv6 default route, src-ip ECMP, IPv6 SNAT and
# distributed IPv6 FIP, dnat on a second network, exempted_ext_ips, IPv6
# and ECMP+pkt_mark policies, an LB with reject and no backends, an IPv6 LB
# on a DGP router.
MIXED = """
ls-add sw0
lsp-add sw0 vm1 -- lsp-set-addresses vm1 "00:00:00:00:00:01 10.0.0.1 fd00::1"
ls-add pub
lsp-add pub ln -- lsp-set-type ln localnet -- lsp-set-addresses ln unknown -- lsp-set-options ln network_name=phys
lr-add r0 -- set logical_router r0 options:dynamic_neigh_routers=true
lrp-add r0 r0-sw0 00:00:00:00:ff:01 10.0.0.254/24 10.1.0.254/24 fd00::fe/64
lrp-add r0 r0-pub 00:00:00:00:ff:03 172.16.0.1/24 172.17.0.1/24 fd99::1/64
lsp-add sw0 sw0-r0 -- lsp-set-type sw0-r0 router -- lsp-set-addresses sw0-r0 router -- lsp-set-options sw0-r0 router-port=r0-sw0
lsp-add pub pub-r0 -- lsp-set-type pub-r0 router -- lsp-set-addresses pub-r0 router -- lsp-set-options pub-r0 router-port=r0-pub
lrp-set-gateway-chassis r0-pub hv1 20
lr-route-add r0 0.0.0.0/0 172.16.0.254 r0-pub
lr-route-add r0 ::/0 fd99::fe
--policy=src-ip --ecmp lr-route-add r0 10.2.0.0/24 172.16.0.11
--policy=src-ip --ecmp lr-route-add r0 10.2.0.0/24 172.16.0.12
lr-nat-add r0 snat fd99::10 fd00::/64
lr-nat-add r0 dnat 172.17.0.20 10.0.0.1
lr-nat-add r0 dnat_and_snat 172.16.0.21 10.1.0.5
lr-nat-add r0 dnat_and_snat fd99::22 fd00::1 vm1 00:00:00:00:aa:02
create address_set name=as2 addresses="8.8.8.8"
set nat $(ovn-nbctl --bare --columns=_uuid find nat external_ip=172.16.0.21) exempted_ext_ips=$(ovn-nbctl --bare --columns=_uuid find address_set name=as2)
lr-policy-add r0 500 "ip6.src == fd00::/64" reroute fd99::fe
lr-policy-add r0 400 "ip4.src == 10.1.0.0/24" reroute 172.16.0.11,172.16.0.12 pkt_mark=9
lb-add lbr 172.16.0.60:8080 "" tcp -- set load_balancer lbr options:reject=true
lb-add lbx [fd99::61]:80 [fd00::1]:80,[fd00::2]:80 tcp
lr-lb-add r0 lbr
lr-lb-add r0 lbx
"""


def test_mixed_ipv6_exempted_reject_flows_match_c_northd(c_northd):
    c, py, problems = _compare(c_northd, MIXED)
    assert len(c) > 150
    assert not problems.current


# A router port on an interconnection transit switch with a remote port
# (what ovn-ic builds on), and reside-on-redirect-chassis on a VLAN switch.
IC_RESIDE = """
ls-add ts -- set logical_switch ts other_config:interconn-ts=ts
lr-add r0
lrp-add r0 r0-ts 00:00:00:00:ff:01 169.254.100.1/24 fd69::1/64
lsp-add ts ts-r0 -- lsp-set-type ts-r0 router -- lsp-set-addresses ts-r0 router -- lsp-set-options ts-r0 router-port=r0-ts
lsp-add ts ts-r1 -- lsp-set-type ts-r1 remote -- lsp-set-addresses ts-r1 "00:00:00:00:ff:02 169.254.100.2/24 fd69::2/64" -- lsp-set-options ts-r1 requested-chassis=hv9
lr-route-add r0 10.2.0.0/24 169.254.100.2
ls-add sw0
lsp-add sw0 vm1 -- lsp-set-addresses vm1 "00:00:00:00:00:01 10.0.0.1"
lsp-add sw0 ln0 -- lsp-set-type ln0 localnet -- lsp-set-addresses ln0 unknown -- lsp-set-options ln0 network_name=phys -- set logical_switch_port ln0 tag_request=100
ls-add pub
lsp-add pub ln -- lsp-set-type ln localnet -- lsp-set-addresses ln unknown -- lsp-set-options ln network_name=phys
lrp-add r0 r0-sw0 00:00:00:00:ff:09 10.0.0.254/24 -- set logical_router_port r0-sw0 options:reside-on-redirect-chassis=true
lrp-add r0 r0-pub 00:00:00:00:ff:03 172.16.0.1/24
lsp-add sw0 sw0-r0 -- lsp-set-type sw0-r0 router -- lsp-set-addresses sw0-r0 router -- lsp-set-options sw0-r0 router-port=r0-sw0
lsp-add pub pub-r0 -- lsp-set-type pub-r0 router -- lsp-set-addresses pub-r0 router -- lsp-set-options pub-r0 router-port=r0-pub
lrp-set-gateway-chassis r0-pub hv1 20
lr-nat-add r0 snat 172.16.0.10 10.0.0.0/24
"""


def test_transit_switch_and_reside_on_redirect_chassis_match_c_northd(c_northd):
    c, py, problems = _compare(c_northd, IC_RESIDE)
    assert ("r0", "lr_in_arp_resolve", 100, 'outport == "r0-ts" && reg0 == 169.254.100.2',
            "eth.dst = 00:00:00:00:ff:02; next;") in py
    assert not problems.current


# Two routers patched directly (LRP peer), a disabled VIF, a VIF with
# "unknown", a dynamic address.
ROUTER_PEERS = """
ls-add sw0
lsp-add sw0 vm1 -- lsp-set-addresses vm1 "00:00:00:00:00:01 10.0.0.1"
lr-add r0
lr-add r1
lrp-add r0 r0-sw0 00:00:00:00:ff:01 10.0.0.254/24
lsp-add sw0 sw0-r0 -- lsp-set-type sw0-r0 router -- lsp-set-addresses sw0-r0 router -- lsp-set-options sw0-r0 router-port=r0-sw0
lrp-add r0 r0-r1 00:00:00:00:ff:10 100.64.0.1/30 fd64::1/64 peer=r1-r0
lrp-add r1 r1-r0 00:00:00:00:ff:11 100.64.0.2/30 fd64::2/64 peer=r0-r1
lr-route-add r0 20.0.0.0/24 100.64.0.2
lr-route-add r1 10.0.0.0/24 100.64.0.1
lsp-add sw0 vm2 -- lsp-set-addresses vm2 "00:00:00:00:00:02 10.0.0.2" -- lsp-set-enabled vm2 disabled
lsp-add sw0 vm3 -- lsp-set-addresses vm3 "00:00:00:00:00:03 10.0.0.3" unknown
"""


def test_router_peers_flows_match_c_northd(c_northd):
    c, py, problems = _compare(c_northd, ROUTER_PEERS)
    assert ("r0", "lr_in_arp_resolve", 100, 'outport == "r0-r1" && reg0== 100.64.0.2',
            "eth.dst = 00:00:00:00:ff:11; next;") in py
    assert not problems.current


# Two DGPs, a NAT rule pinned to one with gateway_port, a distributed FIP.
GATEWAY_PORT = """
ls-add sw5
lsp-add sw5 vm5 -- lsp-set-addresses vm5 "00:00:00:00:05:01 50.0.0.1"
ls-add pub
ls-add pub2
lr-add r5
lrp-add r5 r5-sw5 00:00:00:00:f5:01 50.0.0.254/24
lrp-add r5 r5-pub 00:00:00:00:f5:02 172.16.0.5/24
lrp-add r5 r5-pub2 00:00:00:00:f5:03 192.168.0.5/24
lsp-add sw5 sw5-r5 -- lsp-set-type sw5-r5 router -- lsp-set-addresses sw5-r5 router -- lsp-set-options sw5-r5 router-port=r5-sw5
lsp-add pub pub-r5 -- lsp-set-type pub-r5 router -- lsp-set-addresses pub-r5 router -- lsp-set-options pub-r5 router-port=r5-pub
lsp-add pub2 pub2-r5 -- lsp-set-type pub2-r5 router -- lsp-set-addresses pub2-r5 router -- lsp-set-options pub2-r5 router-port=r5-pub2
lrp-set-gateway-chassis r5-pub hv1 10
lrp-set-gateway-chassis r5-pub2 hv2 10
--gateway-port=r5-pub2 lr-nat-add r5 snat 10.99.0.50 50.0.0.0/24
lr-nat-add r5 dnat_and_snat 192.168.0.51 50.0.0.1 vm5 00:00:00:00:aa:05
"""


def test_nat_gateway_port_flows_match_c_northd(c_northd):
    c, py, problems = _compare(c_northd, GATEWAY_PORT)
    assert any("10.99.0.50" in f[4] and "cr-r5-pub2" in f[3] for f in py)
    assert not problems.current
