"""Compatibility: every match C ovn-northd 23.03 writes must parse,
annotate and compile to OpenFlow matches.

A small version of the bench reference topology (switches with VIFs,
routers, port groups with Neutron-like ACLs, address sets, load balancers
in a group, a gateway router with SNAT and a localnet port) plus a
distributed gateway port, dnat_and_snat, DHCP options and IPv6 router
advertisements, so that many stages are exercised.  The C programs are
test-only peers here.
"""

import json
import shutil
import subprocess
import time

import pytest

from pyovn.lang.annotate import annotate
from pyovn.lang.context import Context
from pyovn.lang.errors import LangError
from pyovn.lang.matches import to_matches
from pyovn.lang.parse import parse

pytestmark = pytest.mark.peer

NEEDED = ("ovn-northd", "ovn-nbctl", "ovn-sbctl")


def nbctl(nb, *args):
    subprocess.run(["ovn-nbctl", "--db=" + nb.remote, *args], check=True,
                   capture_output=True, text=True, timeout=60)


def populate(nb):
    cmds = []

    def add(*a):
        cmds.extend(list(a) + ["--"])

    add("lr-add", "lr0")
    for i in range(2):
        ls = "ls%d" % i
        add("ls-add", ls)
        add("set", "Logical_Switch", ls,
            "other_config:subnet=10.0.%d.0/24" % i)
        vifs = []
        for j in range(3):
            p = "%s-p%d" % (ls, j)
            mac = "0a:58:00:00:%02x:%02x" % (i, j)
            ip = "10.0.%d.%d" % (i, 10 + j)
            add("lsp-add", ls, p)
            add("lsp-set-addresses", p, "%s %s" % (mac, ip))
            add("lsp-set-port-security", p, "%s %s" % (mac, ip))
            vifs.append(p)
        add("lrp-add", "lr0", "lrp-" + ls, "0a:59:00:00:00:%02x" % i,
            "10.0.%d.1/24" % i, "fd00:%d::1/64" % i)
        add("lsp-add", ls, ls + "-to-lr")
        add("lsp-set-type", ls + "-to-lr", "router")
        add("lsp-set-addresses", ls + "-to-lr", "router")
        add("lsp-set-options", ls + "-to-lr", "router-port=lrp-" + ls)
        add("set", "Logical_Router_Port", "lrp-" + ls,
            "ipv6_ra_configs:address_mode=slaac",
            "ipv6_ra_configs:send_periodic=true")
        add("pg-add", "pg_sg%d" % i, *vifs)
        add("create", "Address_Set", "name=as_remote%d" % i,
            "addresses=\"192.168.%d.0/28\",\"192.168.%d.16/28\"" % (i, i))
    add("pg-add", "pg_drop", "ls0-p0", "ls0-p1", "ls0-p2", "ls1-p0",
        "ls1-p1", "ls1-p2")
    # Chained commands keep this quick: one ovn-nbctl per group of rows.
    nbctl(nb, *cmds[:-1])
    cmds = []
    for i in range(2):
        pg = "pg_sg%d" % i
        add("--type=port-group", "acl-add", pg, "from-lport", "1002",
            "inport == @%s && ip4" % pg, "allow-related")
        add("--type=port-group", "acl-add", pg, "to-lport", "1002",
            "outport == @%s && ip4 && ip4.src == $%s_ip4" % (pg, pg), "allow-related")
        add("--type=port-group", "acl-add", pg, "to-lport", "1002",
            "outport == @%s && ip4 && tcp.dst == 22" % pg, "allow-related")
        add("--type=port-group", "acl-add", pg, "to-lport", "1002",
            'outport == "ls%d-p0" && ip4 && ip4.src == $as_remote%d && '
            'tcp.dst == {80, 443}' % (i, i), "allow-related")
        add("--type=port-group", "acl-add", pg, "from-lport", "1000",
            "inport == @%s && ip6 && icmp6" % pg, "allow")
        add("--type=port-group", "acl-add", pg, "to-lport", "900",
            "outport == @%s && udp.dst == 53" % pg, "reject")
    add("--type=port-group", "acl-add", "pg_drop", "from-lport", "1001",
        "inport == @pg_drop && ip", "drop")
    # Ranges, inequalities and negated sets: the bitwise expansions.
    add("--type=port-group", "acl-add", "pg_sg0", "to-lport", "1003",
        "outport == @pg_sg0 && tcp.dst >= 1000 && tcp.dst <= 1999", "allow")
    add("--type=port-group", "acl-add", "pg_sg0", "from-lport", "1003",
        "inport == @pg_sg0 && udp && udp.src != 68 && udp.dst < 100", "allow")
    add("--type=port-group", "acl-add", "pg_sg0", "from-lport", "1004",
        "inport == @pg_sg0 && ip4 && ip4.dst != {10.0.0.0/8, 192.168.0.0/16}",
        "drop")
    add("--type=port-group", "acl-add", "pg_sg1", "to-lport", "1003",
        "outport == @pg_sg1 && (ip4.src == $as_remote1 || ip6) && "
        "!(tcp.src == {1, 2} || udp.src == 3)", "allow")
    add("lb-add", "lb-tcp", "172.30.0.10:80", "10.0.0.10:8080,10.0.0.11:8080", "tcp")
    add("lb-add", "lb-udp", "172.30.0.53:53", "10.0.1.10:5353", "udp")
    add("lb-add", "lb-v6", "[fd00:99::1]:80", "[fd00:0::10]:8080", "tcp")
    add("ls-lb-add", "ls0", "lb-tcp")
    add("ls-lb-add", "ls1", "lb-udp")
    add("lr-lb-add", "lr0", "lb-tcp")
    add("lr-lb-add", "lr0", "lb-v6")
    # Gateway router with SNAT, localnet on the external switch.
    add("lr-add", "gr")
    add("set", "Logical_Router", "gr", "options:chassis=gw1")
    add("ls-add", "ext")
    add("lsp-add", "ext", "ln-ext")
    add("lsp-set-type", "ln-ext", "localnet")
    add("lsp-set-addresses", "ln-ext", "unknown")
    add("lsp-set-options", "ln-ext", "network_name=physnet")
    add("lrp-add", "gr", "gr-ext", "0a:5b:00:00:00:01", "172.16.0.2/24")
    add("lsp-add", "ext", "ext-to-gr")
    add("lsp-set-type", "ext-to-gr", "router")
    add("lsp-set-addresses", "ext-to-gr", "router")
    add("lsp-set-options", "ext-to-gr", "router-port=gr-ext")
    add("lr-route-add", "gr", "0.0.0.0/0", "172.16.0.1")
    add("lr-nat-add", "gr", "snat", "172.16.0.2", "10.0.0.0/16")
    add("lr-lb-add", "gr", "lb-tcp")
    # Distributed gateway port on lr0 with dnat_and_snat.
    add("lrp-add", "lr0", "lr0-ext", "0a:5c:00:00:00:01", "172.17.0.2/24")
    add("lrp-set-gateway-chassis", "lr0-ext", "gw1", "10")
    add("lr-nat-add", "lr0", "dnat_and_snat", "172.17.0.100", "10.0.0.10",
        "ls0-p0", "0a:5c:00:00:00:99")
    add("lr-nat-add", "lr0", "snat", "172.17.0.2", "10.0.0.0/16")
    add("lr-route-add", "lr0", "0.0.0.0/0", "172.17.0.1")
    # As in the bench topology: a join switch between lr0 and the gateway
    # router, a load balancer group on the switches and the gateway router,
    # to-lport drops on pg_drop, per-subnet routes on gr.
    add("ls-add", "join")
    add("lrp-add", "lr0", "lr0-join", "0a:5a:00:00:00:00", "100.64.0.2/16")
    add("lrp-add", "gr", "gr-join", "0a:5a:00:00:00:01", "100.64.0.1/16")
    for name, peer in (("join-lr0", "lr0-join"), ("join-gr", "gr-join")):
        add("lsp-add", "join", name)
        add("lsp-set-type", name, "router")
        add("lsp-set-addresses", name, "router")
        add("lsp-set-options", name, "router-port=" + peer)
    add("lr-route-add", "gr", "10.0.0.0/24", "100.64.0.2")
    add("lr-route-add", "gr", "10.0.1.0/24", "100.64.0.2")
    add("create", "Load_Balancer_Group", "name=lbg-cluster")
    add("--type=port-group", "acl-add", "pg_drop", "to-lport", "1001",
        "outport == @pg_drop && ip", "drop")
    # Multicast snooping, ECMP routes, LB affinity, a policy route.
    add("set", "Logical_Switch", "ls1", "other_config:mcast_snoop=true",
        "other_config:mcast_querier=true", "other_config:mcast_eth_src=00:00:00:00:00:fe",
        "other_config:mcast_ip4_src=10.0.1.254")
    add("--ecmp", "lr-route-add", "lr0", "10.9.0.0/16", "10.0.0.100")
    add("--ecmp", "lr-route-add", "lr0", "10.9.0.0/16", "10.0.1.100")
    add("set", "Load_Balancer", "lb-tcp", "options:affinity_timeout=60")
    add("lr-policy-add", "lr0", "100", "ip4.src == 10.0.0.0/24 && ip4.dst == 10.9.0.0/16",
        "reroute", "10.0.1.100")
    nbctl(nb, *cmds[:-1])
    # DHCP for ls0-p1.
    out = subprocess.run(
        ["ovn-nbctl", "--db=" + nb.remote, "dhcp-options-create", "10.0.0.0/24"],
        check=True, capture_output=True, text=True, timeout=60).stdout.strip()
    uuid = out or subprocess.run(
        ["ovn-nbctl", "--db=" + nb.remote, "--bare", "--columns=_uuid", "list",
         "DHCP_Options"], check=True, capture_output=True, text=True).stdout.split()[0]
    nbctl(nb, "dhcp-options-set-options", uuid, "lease_time=3600",
          "router=10.0.0.1", "server_id=10.0.0.1", "server_mac=0a:59:00:00:00:00")
    nbctl(nb, "lsp-set-dhcpv4-options", "ls0-p1", uuid)
    def find(table, name):
        return subprocess.run(
            ["ovn-nbctl", "--db=" + nb.remote, "--bare", "--columns=_uuid",
             "find", table, "name=" + name],
            check=True, capture_output=True, text=True, timeout=60).stdout.strip()
    nbctl(nb, "lb-add", "lb-grp", "172.30.0.99:99", "10.0.1.12:99", "udp")
    lbg = find("Load_Balancer_Group", "lbg-cluster")
    nbctl(nb, "add", "Load_Balancer_Group", lbg, "load_balancer",
          find("Load_Balancer", "lb-grp"),
          "--", "add", "Logical_Switch", "ls0", "load_balancer_group", lbg,
          "--", "add", "Logical_Switch", "ls1", "load_balancer_group", lbg,
          "--", "add", "Logical_Router", "gr", "load_balancer_group", lbg)


def sb_json(sb, table, columns):
    out = subprocess.run(
        ["ovn-sbctl", "--db=" + sb.remote, "--format=json",
         "--columns=" + ",".join(columns), "list", table],
        check=True, capture_output=True, text=True, timeout=60).stdout
    data = json.loads(out)
    return [dict(zip(data["headings"], row)) for row in data["data"]]


def atom(value):
    if isinstance(value, list) and value and value[0] == "set":
        return [v for v in value[1]]
    return [value]


def context_from_sb(sb):
    ctx = Context(resident=set())
    for row in sb_json(sb, "Address_Set", ["name", "addresses"]):
        ctx.address_sets[row["name"]] = atom(row["addresses"])
    for row in sb_json(sb, "Port_Group", ["name", "ports"]):
        ports = atom(row["ports"])
        ctx.port_groups[row["name"]] = ports
        # SB port groups are per datapath ("<key>_<name>"); lflows use the
        # NB name.  Union them for this datapath-blind check.
        base = row["name"].split("_", 1)[1] if "_" in row["name"] else row["name"]
        ctx.port_groups.setdefault(base, [])
        ctx.port_groups[base] = sorted(set(ctx.port_groups[base]) | set(ports))
    for row in sb_json(sb, "Port_Binding", ["logical_port", "tunnel_key"]):
        ctx.ports[row["logical_port"]] = row["tunnel_key"]
    for row in sb_json(sb, "Multicast_Group", ["name", "tunnel_key"]):
        ctx.ports.setdefault(row["name"], row["tunnel_key"])
    return ctx


@pytest.mark.skipif(not all(shutil.which(p) for p in NEEDED),
                    reason="C OVN programs not installed")
def test_every_c_northd_match_compiles(ovsdb, rundir):
    nb = ovsdb("nb")
    sb = ovsdb("sb")
    populate(nb)
    northd = subprocess.Popen(
        ["ovn-northd", "--ovnnb-db=" + nb.remote, "--ovnsb-db=" + sb.remote,
         "--log-file=%s/northd.log" % rundir, "-vconsole:off"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        subprocess.run(["ovn-nbctl", "--db=" + nb.remote, "--timeout=60",
                        "--wait=sb", "sync"], check=True, capture_output=True,
                       timeout=90)
        flows = sb_json(sb, "Logical_Flow", ["match"])
    finally:
        northd.terminate()
        northd.wait(timeout=30)
    ctx = context_from_sb(sb)
    matches = sorted({row["match"] for row in flows})
    assert len(matches) > 200, len(matches)
    failures = []
    n_flows = 0
    for text in matches:
        try:
            expr = annotate(parse(text), context=ctx)
            flows_out, _ = to_matches(expr, ctx)
            n_flows += len(flows_out)
        except LangError as e:
            failures.append("%s\n    %s" % (text, e))
    assert not failures, "%d of %d matches failed:\n%s" % (
        len(failures), len(matches), "\n".join(failures[:40]))
    assert n_flows > len(matches) // 2
