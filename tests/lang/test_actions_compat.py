"""Compatibility: every actions string the C ovn-northd 23.03 (a test-only
peer) writes for a topology that uses most features parses, round-trips
through its canonical format and encodes without error."""

import csv
import io
import shutil
import subprocess

import pytest

from pyovn.db import server
from pyovn.lang.actions import (EncodeContext, ParseContext, encode_actions,
                                parse_actions)
from pyovn.util import proc

pytestmark = pytest.mark.peer

# ovn-nbctl commands building the topology (one command per line).
TOPOLOGY = """
ls-add sw0
lsp-add sw0 sw0-p1
lsp-set-addresses sw0-p1 "50:54:00:00:00:01 10.0.0.11 aef0::11"
lsp-set-port-security sw0-p1 "50:54:00:00:00:01 10.0.0.11 aef0::11"
lsp-add sw0 sw0-p2
lsp-set-addresses sw0-p2 "50:54:00:00:00:02 10.0.0.12" unknown
lsp-add sw0 sw0-vip
lsp-set-type sw0-vip virtual
set Logical_Switch_Port sw0-vip options:virtual-ip=10.0.0.100 options:virtual-parents=sw0-p1,sw0-p2
lsp-add sw0 sw0-ln
lsp-set-type sw0-ln localnet
lsp-set-addresses sw0-ln unknown
lsp-set-options sw0-ln network_name=phys
set Logical_Switch sw0 other_config:mcast_snoop=true other_config:mcast_querier=true other_config:mcast_eth_src=00:00:00:00:00:fe other_config:mcast_ip4_src=10.0.0.254
dhcp-options-create 10.0.0.0/24
dhcp-options-create aef0::/64
pg-add pg1 sw0-p1 sw0-p2
acl-add pg1 from-lport 1002 "inport == @pg1 && ip4" allow-related
acl-add pg1 to-lport 1002 "outport == @pg1 && ip4 && tcp.dst == 22" allow-related
acl-add sw0 to-lport 1001 "ip4 && udp.dst == 53" reject
acl-add sw0 from-lport 1000 "ip6" drop
meter-add acl-meter drop 10 pktps
--log --severity=alert --name=acl1 --meter=acl-meter acl-add sw0 to-lport 900 "tcp.dst == 80" drop
lb-add lb0 10.0.0.200:80 10.0.0.11:8080,10.0.0.12:8080 tcp
lb-add lb1 [aef0::200]:80 [aef0::11]:8080 tcp
ls-lb-add sw0 lb0
ls-lb-add sw0 lb1
set Load_Balancer lb0 options:affinity_timeout=60
ls-add sw1
lsp-add sw1 sw1-p1
lsp-set-addresses sw1-p1 "50:54:00:00:01:01 20.0.0.11"
lr-add lr0
lrp-add lr0 lr0-sw0 00:00:00:00:ff:01 10.0.0.1/24 aef0::1/64
set Logical_Router_Port lr0-sw0 ipv6_ra_configs:address_mode=slaac ipv6_ra_configs:send_periodic=true ipv6_ra_configs:mtu=1400 ipv6_ra_configs:rdnss=aef0\\:\\:11 ipv6_ra_configs:dnssl=ovn.org ipv6_ra_configs:route_info=HIGH-aef1\\:\\:/64
lsp-add sw0 sw0-lr0
lsp-set-type sw0-lr0 router
lsp-set-addresses sw0-lr0 router
lsp-set-options sw0-lr0 router-port=lr0-sw0
lrp-add lr0 lr0-sw1 00:00:00:00:ff:02 20.0.0.1/24
lsp-add sw1 sw1-lr0
lsp-set-type sw1-lr0 router
lsp-set-addresses sw1-lr0 router
lsp-set-options sw1-lr0 router-port=lr0-sw1
lrp-add lr0 lr0-public 00:00:20:20:12:13 172.168.0.100/24
lrp-set-gateway-chassis lr0-public hv1
lr-nat-add lr0 snat 172.168.0.100 10.0.0.0/24
lr-nat-add lr0 dnat_and_snat 172.168.0.110 10.0.0.11
lr-lb-add lr0 lb0
lr-route-add lr0 30.0.0.0/24 20.0.0.50
--ecmp-symmetric-reply lr-route-add lr0 40.0.0.0/24 20.0.0.60
--ecmp-symmetric-reply lr-route-add lr0 40.0.0.0/24 20.0.0.61
lr-policy-add lr0 100 "ip4.src == 10.0.0.12" reroute 20.0.0.70
set Logical_Router lr0 options:mcast_relay=true
fwd-group-add fwd0 sw1 20.0.0.100 00:00:00:00:00:64 sw1-p1 sw1-lr0
set Load_Balancer lb0 selection_fields=ip_src,ip_dst
lb-add lb-empty 10.0.0.250:80 "" tcp
ls-lb-add sw1 lb-empty
set NB_Global . options:controller_event=true
qos-add sw1 from-lport 100 "ip4" rate=1000 burst=100
set Logical_Router_Port lr0-public options:gateway_mtu=1400
lr-add gr0
set Logical_Router gr0 options:chassis=hv1
lrp-add gr0 gr0-sw1 00:00:00:00:ee:01 20.0.0.2/24
--ecmp-symmetric-reply lr-route-add gr0 50.0.0.0/24 20.0.0.60
--ecmp-symmetric-reply lr-route-add gr0 50.0.0.0/24 20.0.0.61
create BFD logical_port=lr0-sw1 dst_ip=20.0.0.80
set Load_Balancer lb0 ip_port_mappings:10.0.0.11=sw0-p1:10.0.0.2
-- --id=@hc create Load_Balancer_Health_Check vip="10.0.0.200\\:80" -- add Load_Balancer lb0 health_check @hc
lr-nat-add gr0 snat 20.0.0.2 10.0.0.0/8
lr-lb-add gr0 lb1
"""


def build_topology(nbctl):
    """Runs TOPOLOGY, then the DHCP options and DNS records (whose row ids
    are only known at run time), through NBCTL(*args) -> stdout."""
    import shlex
    for line in TOPOLOGY.strip().splitlines():
        nbctl(*shlex.split(line))
    uuids = nbctl("--bare", "--columns=_uuid,cidr", "list", "DHCP_Options").split()
    cidr_to_uuid = dict(zip(uuids[1::2], uuids[0::2]))
    v4, v6 = cidr_to_uuid["10.0.0.0/24"], cidr_to_uuid["aef0::/64"]
    nbctl("dhcp-options-set-options", v4, "lease_time=3600",
          "router=10.0.0.1", "server_id=10.0.0.1", "server_mac=c0:ff:ee:00:00:01",
          "dns_server={8.8.8.8,8.8.4.4}", "domain_name=\"ovn.org\"", "mtu=1400",
          "classless_static_route={30.0.0.0/24,10.0.0.10,0.0.0.0/0,10.0.0.1}")
    nbctl("dhcp-options-set-options", v6, "server_id=00:00:00:00:10:02",
          "dns_server={aef0::5}", "domain_search=\"ovn.org\"")
    nbctl("lsp-set-dhcpv4-options", "sw0-p1", v4)
    nbctl("lsp-set-dhcpv6-options", "sw0-p1", v6)
    dns = nbctl("create", "DNS", "records={vm1.ovn.org=\"10.0.0.11\"}").strip()
    nbctl("add", "Logical_Switch", "sw0", "dns_records", dns)


def c_tool(name):
    path = shutil.which(name)
    if path is None:
        pytest.skip("%s (C OVN peer) not installed" % name)
    return path


def run(tool, db, *args):
    p = subprocess.run([c_tool(tool), "--db=" + db, "--timeout=20"] + list(args),
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, "%s %s: %s" % (tool, " ".join(args), p.stderr)
    return p.stdout


@pytest.fixture
def c_northd_sb(rundir):
    northd = c_tool("ovn-northd")
    nb = server.start_server(rundir, "nb")
    sb = server.start_server(rundir, "sb")
    pidfile = rundir + "/ovn-northd.pid"
    subprocess.run([northd, "--detach", "--no-chdir", "--pidfile=" + pidfile,
                    "--log-file=" + rundir + "/ovn-northd.log",
                    "--unixctl=" + rundir + "/ovn-northd.ctl", "-vconsole:off",
                    "--ovnnb-db=" + nb.remote, "--ovnsb-db=" + sb.remote],
                   check=True, timeout=30)
    try:
        yield nb, sb
    finally:
        proc.stop_pid(proc.read_pidfile(pidfile))
        nb.stop()
        sb.stop()


def test_c_northd_actions_parse_and_encode(c_northd_sb):
    nb, sb = c_northd_sb
    build_topology(lambda *args: run("ovn-nbctl", nb.remote, *args))
    run("ovn-nbctl", nb.remote, "--wait=sb", "sync")

    out = run("ovn-sbctl", sb.remote, "--format=csv", "--no-headings", "--data=bare",
              "--columns=pipeline,table_id,actions", "list", "Logical_Flow")
    rows = list(csv.reader(io.StringIO(out)))
    assert len(rows) > 300
    seen = set()
    failures = []
    for pipeline, table_id, actions in rows:
        pctx = ParseContext(pipeline=pipeline, table_id=int(table_id))
        try:
            parsed = parse_actions(actions, context=pctx)
            again = parse_actions(parsed.format(), context=pctx)
            assert again == parsed, actions
            encode_actions(parsed, EncodeContext(pipeline=pipeline,
                                                 table_id=int(table_id),
                                                 ports={"sw0-p1": 1, "sw0-vip": 3}))
            for a in parsed.actions:
                seen.add(type(a).__name__)
        except Exception as e:       # collect them all for one clear report
            failures.append("%s: %s" % (actions, e))
    assert not failures, "\n".join(failures[:30])
    print("action classes seen:", " ".join(sorted(seen)))
    # The topology exercises a good part of the language.
    for name in ("Next", "Output", "CtCommit", "CtLbMark", "PutDhcpOpts",
                 "PutDhcpv6Opts", "DnsLookup", "PutNdRaOpts", "Arp", "NdNa",
                 "Icmp4", "Log", "CtDnat", "CtSnat", "LookupArp", "PutArp",
                 "GetArp", "BindVport", "Igmp", "CommitLbAff", "ChkLbAff",
                 "CheckInPortSec", "ChkLbHairpin", "Reject", "FwdGroup", "SetMeter",
                 "TriggerEvent", "CheckPktLarger", "Icmp4Error", "Icmp6Error",
                 "CommitEcmpNh", "ChkEcmpNh", "HandleSvcCheck", "HandleBfdMsg",
                 "PutFdb", "GetFdb", "LookupFdb", "Select", "NdNs", "GetNd"):
        assert name in seen, (name, sorted(seen))
