"""pinctrl end to end: pyovn controller on every chassis, C ovn-northd
(peer) writing the logical flows, real ovsdb-server and ovs-vswitchd."""

import ipaddress
import struct

import pytest

from pyovn.util import proc
from tests.controller.helpers import nbctl, sbctl

pytestmark = pytest.mark.peer

RMAC0, RMAC1 = "00:00:00:00:ff:01", "00:00:00:00:ff:02"
P1MAC, Q1MAC = "50:54:00:00:00:01", "50:54:00:00:01:05"


def topology(sb):
    nbctl(sb, "ls-add", "sw0",
          "--", "lsp-add", "sw0", "p1", "--", "lsp-set-addresses", "p1", P1MAC + " 10.0.0.1",
          "--", "lr-add", "lr0",
          "--", "lrp-add", "lr0", "lrp0", RMAC0, "10.0.0.254/24",
          "--", "lsp-add", "sw0", "sw0-lr0", "--", "lsp-set-type", "sw0-lr0", "router",
          "--", "lsp-set-addresses", "sw0-lr0", "router",
          "--", "lsp-set-options", "sw0-lr0", "router-port=lrp0",
          "--", "lrp-add", "lr0", "lrp1", RMAC1, "10.0.1.254/24",
          "--", "ls-add", "sw1",
          "--", "lsp-add", "sw1", "sw1-lr0", "--", "lsp-set-type", "sw1-lr0", "router",
          "--", "lsp-set-addresses", "sw1-lr0", "router",
          "--", "lsp-set-options", "sw1-lr0", "router-port=lrp1",
          "--", "lsp-add", "sw1", "q1", "--", "lsp-set-addresses", "q1", "unknown")
    sb.add_vif("hv1", "vif1", "p1")
    sb.add_vif("hv2", "vifq1", "q1")
    sb.wait_port_up("p1")
    sb.wait_port_up("q1")
    nbctl(sb, "--wait=hv", "sync")


def mac_bindings(sb):
    out = sbctl(sb, "--bare", "--columns=logical_port,ip,mac", "list", "MAC_Binding")
    words = out.split()
    return {(words[i], words[i + 1]): words[i + 2] for i in range(0, len(words) - 2, 3)}


def ping(seq, dst="10.0.1.5"):
    return ("eth(src=%s,dst=%s)/ip4(src=10.0.0.1,dst=%s)/icmp4(type=8,id=9,seq=%d)"
            % (P1MAC, RMAC0, dst, seq))


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    from pyovn.sandbox.sandbox import Sandbox
    import tempfile
    sb = Sandbox(tempfile.mkdtemp(prefix="pyovn-pin-")).up(chassis=2, northd="c",
                                                            controller="py")
    try:
        topology(sb)
        yield sb
    finally:
        sb.down()


def test_next_hop_arp_resolution_fills_mac_binding(env):
    sb = env
    # A routed packet to an unresolved next hop: the router's arp {}
    # (pinctrl on hv1) floods an ARP request on sw1; q1 sees it.
    sb.inject("vif1", ping(1))
    req = sb.wait_received("vifq1", match=lambda p: p.get("arp.op") == 1
                           and p.get("arp.tpa") == "10.0.1.5")[0]
    assert req["arp.sha"] == RMAC1 and req["arp.spa"] == "10.0.1.254"
    assert req["eth.dst"] == "ff:ff:ff:ff:ff:ff"
    # The reply is learned (put_arp) into MAC_Binding.
    sb.inject("vifq1", "eth(src=%s,dst=%s)/arp(op=2,sha=%s,spa=10.0.1.5,tha=%s,tpa=10.0.1.254)"
              % (Q1MAC, RMAC1, Q1MAC, RMAC1))
    proc.wait_for(lambda: mac_bindings(sb).get(("lrp1", "10.0.1.5")) == Q1MAC, 10,
                  what="MAC_Binding lrp1 10.0.1.5")
    uuid = sbctl(sb, "--bare", "--columns=_uuid", "find", "MAC_Binding", "ip=10.0.1.5").split()
    nbctl(sb, "--wait=hv", "sync")
    # Now the routed packet reaches q1.
    sb.inject("vif1", ping(2))
    got = sb.wait_received("vifq1", match=lambda p: p.get("icmp4.seq") == 2)[0]
    assert got["eth.dst"] == Q1MAC and got["eth.src"] == RMAC1
    # Learned once: another identical reply writes nothing new.
    sb.inject("vifq1", "eth(src=%s,dst=%s)/arp(op=2,sha=%s,spa=10.0.1.5,tha=%s,tpa=10.0.1.254)"
              % (Q1MAC, RMAC1, Q1MAC, RMAC1))
    nbctl(sb, "--wait=hv", "sync")
    assert sbctl(sb, "--bare", "--columns=_uuid", "find", "MAC_Binding",
                 "ip=10.0.1.5").split() == uuid
    # q1 has "unknown" addresses: its source MAC was learned (put_fdb).
    key = sbctl(sb, "--bare", "--columns=tunnel_key", "find", "Port_Binding",
                "logical_port=q1").strip()
    fdb = sbctl(sb, "--bare", "--columns=mac,port_key", "find", "FDB", 'mac="%s"' % Q1MAC).split()
    assert fdb == [Q1MAC, key]


def _received_after(sb, vif, n_before, match):
    return proc.wait_for(lambda: [p for p in sb.received(vif)[n_before:] if match(p)], 10,
                         what="packet at %s" % vif)


def test_dhcp_discover_gets_offer_with_configured_options(env):
    from pyovn.controller.pinctrl import dhcp, pkt as P
    from tests.pinctrl.test_units import dhcp_request
    sb = env
    uuid = nbctl(sb, "create", "DHCP_Options", "cidr=10.0.0.0/24",
                 'options="server_id"="10.0.0.254" "server_mac"="%s" "lease_time"="3600" '
                 '"router"="10.0.0.254" "dns_server"="{8.8.8.8, 9.9.9.9}" "mtu"="1400"'
                 % RMAC0).strip()
    nbctl(sb, "lsp-set-dhcpv4-options", "p1", uuid)
    nbctl(sb, "--wait=hv", "sync")
    n = len(sb.received("vif1"))
    sb.inject("vif1", dhcp_request(dhcp.DISCOVER))
    got = _received_after(sb, "vif1", n, lambda p: p.get("udp.src") == 67)[0]
    assert got["eth.src"] == RMAC0 and got["eth.dst"] == P1MAC
    assert got["ip4.src"] == "10.0.0.254" and got["udp.dst"] == 68
    _, _, body = P.udp_payload(P.parse(got.data))
    opts = dhcp.parse_v4_options(body[240:])
    assert body[16:20] == bytes([10, 0, 0, 1])                 # yiaddr = p1's address
    assert opts[53] == bytes([dhcp.OFFER]) and opts[3] == bytes([10, 0, 0, 254])
    assert opts[6] == bytes([8, 8, 8, 8, 9, 9, 9, 9]) and opts[26] == b"\x05\x78"
    assert opts[51] == (3600).to_bytes(4, "big") and opts[1] == bytes([255, 255, 255, 0])
    # REQUEST for the offered address: ACK.
    n = len(sb.received("vif1"))
    sb.inject("vif1", dhcp_request(dhcp.REQUEST, bytes([50, 4, 10, 0, 0, 1, 54, 4, 10, 0, 0, 254])))
    got = _received_after(sb, "vif1", n, lambda p: p.get("udp.src") == 67)[0]
    _, _, body = P.udp_payload(P.parse(got.data))
    assert dhcp.parse_v4_options(body[240:])[53] == bytes([dhcp.ACK])


def test_dns_query_answered(env):
    from pyovn.controller.pinctrl import pkt as P
    from tests.pinctrl.test_units import dns_query
    sb = env
    uuid = nbctl(sb, "create", "DNS", 'records={"vm1.ovn.org"="10.0.0.55 fd00::55"}').strip()
    nbctl(sb, "set", "Logical_Switch", "sw0", "dns_records=%s" % uuid)
    nbctl(sb, "--wait=hv", "sync")
    src, dst = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 254])
    q = P.eth(P.mac_bytes(RMAC0), P.mac_bytes(P1MAC), P.ETH_IP4,
              P.ip4(src, dst, P.PROTO_UDP, P.udp(4, src, dst, 5353, 53, dns_query("vm1.ovn.org"))))
    n = len(sb.received("vif1"))
    sb.inject("vif1", q)
    got = _received_after(sb, "vif1", n, lambda p: p.get("udp.src") == 53)[0]
    assert got["udp.dst"] == 5353 and got["ip4.dst"] == "10.0.0.1"
    _, _, body = P.udp_payload(P.parse(got.data))
    assert body[:2] == b"\x42\x42" and body[2] & 0x80
    assert body[6:8] == b"\0\1" and body.endswith(bytes([10, 0, 0, 55]))


def test_reject_acl_sends_icmp_unreachable(env):
    sb = env
    nbctl(sb, "--log", "--name=rej9999", "--severity=warning", "acl-add", "sw0",
          "from-lport", "1000", "udp.dst == 9999", "reject")
    nbctl(sb, "--wait=hv", "sync")
    n = len(sb.received("vif1"))
    sb.inject("vif1", "eth(src=%s,dst=%s)/ip4(src=10.0.0.1,dst=10.0.1.5)/udp(src=7,dst=9999)"
              % (P1MAC, RMAC0))
    got = _received_after(sb, "vif1", n, lambda p: p.get("icmp4.type") == 3)[0]
    assert got["icmp4.code"] == 3 and got["ip4.src"] == "10.0.1.5"
    assert got["ip4.dst"] == "10.0.0.1" and got["eth.dst"] == P1MAC
    # The ACL's log() reached pinctrl's acl_log.
    log = open("%s/hv1/ovn-controller.log" % sb.root).read()
    assert 'name="rej9999", verdict=reject, severity=warning, direction=from-lport: udp' in log
    nbctl(sb, "acl-del", "sw0")


def test_empty_lb_backends_event(env):
    sb = env
    nbctl(sb, "set", "NB_Global", ".", "options:controller_event=true")
    lb = nbctl(sb, "create", "Load_Balancer", "name=lb0", 'vips:"10.0.0.100:80"=""',
               "protocol=tcp").strip()
    nbctl(sb, "ls-lb-add", "sw0", "lb0")
    nbctl(sb, "--wait=hv", "sync")
    for _ in range(3):          # reported once however many packets hit it
        sb.inject("vif1", "eth(src=%s,dst=%s)/ip4(src=10.0.0.1,dst=10.0.0.100)/"
                  "tcp(src=4000,dst=80,flags=S)" % (P1MAC, RMAC0))
    rows = proc.wait_for(lambda: sbctl(sb, "--bare", "--columns=event_info", "list",
                                       "Controller_Event").strip(), 10, what="Controller_Event")
    assert "vip=\"10.0.0.100:80\"" in rows or "vip=10.0.0.100:80" in rows.replace('"', "")
    assert lb in rows and "tcp" in rows
    nbctl(sb, "--wait=hv", "sync")
    assert len(sbctl(sb, "--bare", "--columns=_uuid", "list", "Controller_Event").split()) == 1
    nbctl(sb, "ls-lb-del", "sw0", "lb0")


def test_next_hop_nd_resolution_fills_mac_binding(env):
    sb = env
    nbctl(sb, "set", "Logical_Router_Port", "lrp0", 'networks="10.0.0.254/24","fd00::fe/64"',
          "--", "set", "Logical_Router_Port", "lrp1", 'networks="10.0.1.254/24","fd01::fe/64"',
          "--", "lsp-set-addresses", "p1", P1MAC + " 10.0.0.1 fd00::1")
    nbctl(sb, "--wait=hv", "sync")
    ping6 = ("eth(src=%s,dst=%s)/ip6(src=fd00::1,dst=fd01::5)/udp(src=1,dst=%d)")
    n = len(sb.received("vifq1"))
    sb.inject("vif1", ping6 % (P1MAC, RMAC0, 100))
    ns = _received_after(sb, "vifq1", n, lambda p: p.get("nd_ns.target") == "fd01::5")[0]
    assert ns["ip6.dst"] == "ff02::1:ff00:5" and ns["eth.src"] == RMAC1
    sb.inject("vifq1", "eth(src=%s,dst=%s)/ip6(src=fd01::5,dst=%s,hlim=255)/"
              "nd_na(target=fd01::5,tll=%s)" % (Q1MAC, RMAC1, ns["ip6.src"], Q1MAC))
    proc.wait_for(lambda: mac_bindings(sb).get(("lrp1", "fd01::5")) == Q1MAC, 10,
                  what="MAC_Binding lrp1 fd01::5")
    nbctl(sb, "--wait=hv", "sync")
    n = len(sb.received("vifq1"))
    sb.inject("vif1", ping6 % (P1MAC, RMAC0, 101))
    got = _received_after(sb, "vifq1", n, lambda p: p.get("udp.dst") == 101)[0]
    assert got["eth.dst"] == Q1MAC and got["ip6.hlim"] == 63


def _is_ra(p):
    return p.get("ip6.dst") == "ff02::1" and b"\x86\x00" in p.data[54:56] \
        or (p.get("icmp6.type") == 134)


def test_router_advertisements(env):
    from pyovn.controller.pinctrl import pkt as P
    sb = env
    nbctl(sb, "set", "Logical_Router_Port", "lrp0", 'networks="10.0.0.254/24","fd00::fe/64"',
          "--", "set", "Logical_Router_Port", "lrp0",
          "ipv6_ra_configs:address_mode=slaac", "ipv6_ra_configs:send_periodic=true",
          "ipv6_ra_configs:max_interval=4", "ipv6_ra_configs:min_interval=3",
          "ipv6_ra_configs:mtu=1400")
    nbctl(sb, "--wait=hv", "sync")

    def ras(start):
        out = []
        for p in sb.received("vif1")[start:]:
            d = p.data
            try:
                q = P.parse(d)
            except P.Drop:
                continue
            if q.ip_version == 6 and q.proto == 58 and d[q.l4] == 134:
                out.append((q, d[q.l4:q.l4_end]))
        return out
    # Periodic (unsolicited) RA to all nodes with the prefix and the MTU.
    q, icmp = proc.wait_for(lambda: ras(0), 15, what="periodic RA at vif1")[0]
    assert P.ip_str(q.ip_dst) == "ff02::1" and P.mac_str(q.src) == RMAC0
    assert bytes([3, 4, 64, 0xc0]) + b"\xff" * 8 + b"\0" * 4 + \
        bytes.fromhex("fd000000000000000000000000000000") in icmp
    assert bytes([5, 1, 0, 0]) + (1400).to_bytes(4, "big") in icmp
    # A router solicitation is answered (put_nd_ra_opts) to the sender.
    n = len(sb.received("vif1"))
    sb.inject("vif1", "eth(src=%s,dst=33:33:00:00:00:02)/ip6(src=fe80::5054:ff:fe00:1,"
              "dst=ff02::2,hlim=255)/nd_rs(sll=%s)" % (P1MAC, P1MAC))
    got = proc.wait_for(lambda: [r for r in ras(n) if P.ip_str(r[0].ip_dst) ==
                                 "fe80::5054:ff:fe00:1"], 10, what="solicited RA")[0]
    assert P.mac_str(got[0].dst) == P1MAC and bytes([3, 4, 64, 0xc0]) in got[1]


def test_garp_for_vif_on_localnet(sandbox_factory):
    sb = sandbox_factory(chassis=2, northd="c", controller="py")
    nbctl(sb, "ls-add", "pub",
          "--", "lsp-add", "pub", "v1", "--", "lsp-set-addresses", "v1",
          "50:54:00:00:07:01 172.16.0.11",
          "--", "lsp-add", "pub", "ln-pub", "--", "lsp-set-type", "ln-pub", "localnet",
          "--", "lsp-set-addresses", "ln-pub", "unknown",
          "--", "lsp-set-options", "ln-pub", "network_name=physnet1")
    sb.add_vif("hv1", "vifv1", "v1")
    sb.wait_port_up("v1")

    def garps():
        return [p for p in sb.underlay("hv1") if p.get("arp.op") == 1
                and p.get("arp.spa") == "172.16.0.11" and p.get("arp.tpa") == "172.16.0.11"]
    # Announced on the physical network, repeatedly (back-off 1, 2, ... s).
    got = proc.wait_for(lambda: len(garps()) >= 2 and garps(), 10, what="2 GARPs")
    assert got[0]["eth.dst"] == "ff:ff:ff:ff:ff:ff" and got[0]["arp.sha"] == "50:54:00:00:07:01"
    assert "geneve" not in got[0].summary()


def test_health_check_marks_dead_backend_offline(sandbox_factory):
    sb = sandbox_factory(chassis=2, northd="c", controller="py")
    nbctl(sb, "ls-add", "sw0",
          "--", "lsp-add", "sw0", "b1", "--", "lsp-set-addresses", "b1", "50:54:00:00:00:01 10.0.0.1",
          "--", "lsp-add", "sw0", "b2", "--", "lsp-set-addresses", "b2", "50:54:00:00:00:02 10.0.0.2")
    sb.add_vif("hv1", "vifb1", "b1")
    sb.add_vif("hv2", "vifb2", "b2")
    sb.wait_port_up("b1")
    sb.wait_port_up("b2")
    nbctl(sb, "lb-add", "lb1", "10.0.0.100:80", "10.0.0.1:80,10.0.0.2:80", "tcp",
          "--", "set", "Load_Balancer", "lb1", "ip_port_mappings:10.0.0.1=b1:10.0.0.99",
          "ip_port_mappings:10.0.0.2=b2:10.0.0.99",
          "--", "--id=@hc", "create", "Load_Balancer_Health_Check", 'vip="10.0.0.100:80"',
          "options:interval=1", "options:timeout=2", "options:success_count=1",
          "options:failure_count=1",
          "--", "add", "Load_Balancer", "lb1", "health_check", "@hc",
          "--", "ls-lb-add", "sw0", "lb1")
    nbctl(sb, "--wait=hv", "sync")

    def syn_at(vif):
        return [p for p in sb.received(vif) if p.get("tcp.dst") == 80
                and p.get("ip4.src") == "10.0.0.99"]
    # Each backend's chassis probes it.
    s1 = proc.wait_for(lambda: syn_at("vifb1"), 10, what="probe at b1")[-1]
    s2 = proc.wait_for(lambda: syn_at("vifb2"), 10, what="probe at b2")[-1]
    assert "S" in str(s1["tcp.flags"])
    # b1 is alive (SYN+ACK), b2 refuses (RST).
    svc_mac = s1["eth.src"]
    sb.inject("vifb1", "eth(src=50:54:00:00:00:01,dst=%s)/ip4(src=10.0.0.1,dst=10.0.0.99)/"
              "tcp(src=80,dst=%d,seq=1000,ack=%d,flags=SA)"
              % (svc_mac, s1["tcp.src"], (s1["tcp.seq"] + 1) % (1 << 32)))
    sb.inject("vifb2", "eth(src=50:54:00:00:00:02,dst=%s)/ip4(src=10.0.0.2,dst=10.0.0.99)/"
              "tcp(src=80,dst=%d,seq=0,ack=%d,flags=RA)"
              % (svc_mac, s2["tcp.src"], (s2["tcp.seq"] + 1) % (1 << 32)))

    def status():
        out = sbctl(sb, "--bare", "--columns=ip,status", "list", "Service_Monitor").split()
        return dict(zip(out[0::2], out[1::2]))
    proc.wait_for(lambda: status().get("10.0.0.2") == "offline", 10, what="b2 offline")
    # b1's SYN+ACK was taken as success: pinctrl closed the connection with a RST.
    proc.wait_for(lambda: [p for p in sb.received("vifb1") if p.get("tcp.dst") == 80
                           and "R" in str(p.get("tcp.flags"))], 10, what="RST to b1")
    # The dead backend leaves the load balancer's flows (ovn-northd).
    proc.wait_for(lambda: "10.0.0.2:80" not in sbctl(sb, "lflow-list", "sw0"), 10,
                  what="10.0.0.2 out of the LB")


def _igmp(mac, src, itype, group):
    from pyovn.controller.pinctrl import pkt as P
    import ipaddress as ipa
    g = ipa.IPv4Address(group).packed
    msg = bytearray(struct.pack("!BBH4s", itype, 0, 0, g))
    msg[2:4] = struct.pack("!H", P.csum(bytes(msg)))
    dst = ipa.IPv4Address("224.0.0.2" if itype == 0x17 else group).packed
    mdst = b"\x01\x00\x5e" + bytes([dst[1] & 0x7f, dst[2], dst[3]])
    return P.eth(mdst, P.mac_bytes(mac), P.ETH_IP4,
                 P.ip4(ipa.IPv4Address(src).packed, dst, 2, bytes(msg), ttl=1))


def test_igmp_join_and_leave(env):
    sb = env
    nbctl(sb, "set", "Logical_Switch", "sw0", "other_config:mcast_snoop=true",
          "other_config:mcast_querier=false")
    nbctl(sb, "--wait=hv", "sync")

    def groups():
        return sbctl(sb, "--bare", "--columns=address,ports", "list", "IGMP_Group").split()
    sb.inject("vif1", _igmp(P1MAC, "10.0.0.1", 0x16, "239.1.1.1"))
    got = proc.wait_for(lambda: groups(), 10, what="IGMP_Group row")
    assert got[0] == "239.1.1.1" and len(got) == 2
    p1 = sbctl(sb, "--bare", "--columns=_uuid", "find", "Port_Binding",
               "logical_port=p1").strip()
    assert got[1] == p1
    sb.inject("vif1", _igmp(P1MAC, "10.0.0.1", 0x17, "239.1.1.1"))
    proc.wait_for(lambda: groups() == [], 10, what="IGMP_Group row removed")


def test_bfd_session_to_static_route_next_hop(env):
    from pyovn.controller.pinctrl import bfd, pkt as P
    sb = env
    uuid = nbctl(sb, "create", "BFD", "logical_port=lrp1", "dst_ip=10.0.1.6", "min_tx=100",
                 "min_rx=100", "detect_mult=3").strip()
    nbctl(sb, "--bfd=%s" % uuid, "lr-route-add", "lr0", "192.168.7.0/24", "10.0.1.6", "lrp1")
    nbctl(sb, "--wait=hv", "sync")

    def probes():
        out = []
        for p in sb.received("vifq1"):
            if p.get("udp.dst") == 3784 and p.get("ip4.dst") == "10.0.1.6":
                _, _, body = P.udp_payload(P.parse(p.data))
                out.append((p, bfd.parse_control(body)))
        return out
    p, first = proc.wait_for(probes, 10, what="BFD control packet at q1")[0]
    assert p["ip4.src"] == "10.0.1.254" and first["state"] == bfd.DOWN
    disc = first["my"]

    def peer(state, your):
        body = bfd.control(state, 3, 4242, your, 1000000, 100000)   # peer tx 1 s
        src, dst = bytes([10, 0, 1, 6]), bytes([10, 0, 1, 254])
        return P.eth(P.mac_bytes(RMAC1), P.mac_bytes(Q1MAC), P.ETH_IP4,
                     P.ip4(src, dst, P.PROTO_UDP, P.udp(4, src, dst, 49999, 3784, body)))

    def status():
        return sbctl(sb, "--bare", "--columns=status", "find", "BFD", "dst_ip=10.0.1.6").strip()
    def peer_sends(state, your, want):
        """A peer transmits periodically: keep sending until our side
        reports WANT (one packet could fall in a detection-time gap on a
        loaded machine)."""
        def check():
            sb.inject("vifq1", peer(state, your))
            return status() == want
        return check
    proc.wait_for(peer_sends(bfd.DOWN, 0, "init"), 15, interval=0.3, what="BFD init")
    proc.wait_for(peer_sends(bfd.UP, disc, "up"), 15, interval=0.3, what="BFD up")
    # The peer falls silent: the detection time (3 x its 1 s) takes it down.
    proc.wait_for(lambda: status() == "down", 10, what="BFD down after silence")


def test_dhcpv6_solicit_gets_advertise(env):
    from pyovn.controller.pinctrl import dhcp, pkt as P
    from tests.pinctrl.test_units import dhcp6, opt6
    sb = env
    nbctl(sb, "lsp-set-addresses", "p1", P1MAC + " 10.0.0.1 fd00::1")
    uuid = nbctl(sb, "create", "DHCP_Options", "cidr=fd00\\:\\:/64",
                 'options="server_id"="00:00:00:00:10:02" "dns_server"="{fd00::53}" '
                 '"domain_search"="\\"ovn.org\\""').strip()      # a string: quoted
    nbctl(sb, "lsp-set-dhcpv6-options", "p1", uuid)
    nbctl(sb, "--wait=hv", "sync")
    n = len(sb.received("vif1"))
    req = opt6(1, b"\0\3\0\1" + P.mac_bytes(P1MAC)) + opt6(3, b"\0\0\0\7" + b"\0" * 8)
    sb.inject("vif1", dhcp6(dhcp.SOLICIT, req))
    got = _received_after(sb, "vif1", n, lambda p: p.get("udp.src") == 547)[0]
    assert got["udp.dst"] == 546 and got["eth.dst"] == P1MAC
    _, _, body = P.udp_payload(P.parse(got.data))
    assert body[0] == dhcp.ADVERTISE and body[1:4] == b"\xab\xcd\xef"
    opts = dict(dhcp.parse_v6_options(body[4:]))
    ia_addr = dict(dhcp.parse_v6_options(opts[3][12:]))[5]
    assert ia_addr[:16] == ipaddress.IPv6Address("fd00::1").packed     # the port's address
    assert opts[2] == b"\0\3\0\1" + P.mac_bytes("00:00:00:00:10:02")
    assert opts[23] == ipaddress.IPv6Address("fd00::53").packed and opts[24] == b"\3ovn\3org\0"


def test_garp_for_nat_addresses_of_gateway_port(sandbox_factory):
    sb = sandbox_factory(chassis=2, northd="c", controller="py")
    gw = "00:00:00:00:ee:01"
    nbctl(sb, "ls-add", "pub",
          "--", "lsp-add", "pub", "ln-pub", "--", "lsp-set-type", "ln-pub", "localnet",
          "--", "lsp-set-addresses", "ln-pub", "unknown",
          "--", "lsp-set-options", "ln-pub", "network_name=physnet1",
          "--", "lr-add", "lr0",
          "--", "lrp-add", "lr0", "lrp-pub", gw, "172.16.0.1/24",
          "--", "lrp-set-gateway-chassis", "lrp-pub", sb.chassis_names()[0], "20",
          "--", "lsp-add", "pub", "pub-lr0", "--", "lsp-set-type", "pub-lr0", "router",
          "--", "lsp-set-addresses", "pub-lr0", "router",
          "--", "lsp-set-options", "pub-lr0", "router-port=lrp-pub", "nat-addresses=router",
          "--", "lrp-add", "lr0", "lrp-in", "00:00:00:00:ee:02", "10.9.0.1/24",
          "--", "ls-add", "in", "--", "lsp-add", "in", "in-lr0",
          "--", "lsp-set-type", "in-lr0", "router", "--", "lsp-set-addresses", "in-lr0", "router",
          "--", "lsp-set-options", "in-lr0", "router-port=lrp-in",
          "--", "lsp-add", "in", "vm", "--", "lsp-set-addresses", "vm", "50:54:00:00:09:01 10.9.0.5",
          "--", "lr-nat-add", "lr0", "dnat_and_snat", "172.16.0.50", "10.9.0.5")
    sb.add_vif(sb.chassis_names()[1], "vifvm", "vm")
    sb.wait_port_up("vm")
    nbctl(sb, "--wait=hv", "sync")

    def garps(chassis, ip):
        return [p for p in sb.underlay(chassis) if p.get("arp.op") == 1
                and p.get("arp.spa") == ip and p.get("arp.tpa") == ip]
    # The active gateway chassis announces the router port's and the NAT address.
    hv1 = sb.chassis_names()[0]
    for ip in ("172.16.0.1", "172.16.0.50"):
        p = proc.wait_for(lambda: garps(hv1, ip), 10, what="GARP for %s" % ip)[0]
        assert p["arp.sha"] == gw and p["eth.dst"] == "ff:ff:ff:ff:ff:ff"
    # The standby chassis (its pub datapath is local through the router) stays quiet.
    nbctl(sb, "--wait=hv", "sync")
    assert garps(sb.chassis_names()[1], "172.16.0.50") == []
    # Failover (hv2 gets the higher priority): hv2 now announces the addresses.
    hv2 = sb.chassis_names()[1]
    nbctl(sb, "lrp-set-gateway-chassis", "lrp-pub", hv2, "30")
    p = proc.wait_for(lambda: garps(hv2, "172.16.0.50"), 15, what="GARP from the new gateway")[0]
    assert p["arp.sha"] == gw


def test_ipv6_prefix_delegation(sandbox_factory):
    from pyovn.controller.pinctrl import dhcp, pd, pkt as P
    from tests.pinctrl.test_units import opt6
    sb = sandbox_factory(chassis=2, northd="c", controller="py")
    hv1 = sb.chassis_names()[0]
    rmac = "00:00:00:00:dd:01"
    nbctl(sb, "lr-add", "gw", "--", "set", "Logical_Router", "gw", "options:chassis=%s" % hv1,
          "--", "lrp-add", "gw", "lrp-up", rmac, "2001:db8::1/64",
          "--", "set", "Logical_Router_Port", "lrp-up", "options:prefix_delegation=true",
          "--", "ls-add", "up",
          "--", "lsp-add", "up", "up-gw", "--", "lsp-set-type", "up-gw", "router",
          "--", "lsp-set-addresses", "up-gw", "router",
          "--", "lsp-set-options", "up-gw", "router-port=lrp-up",
          "--", "lsp-add", "up", "srv", "--", "lsp-set-addresses", "srv", "unknown")
    sb.add_vif(hv1, "vifsrv", "srv")
    sb.wait_port_up("srv")
    nbctl(sb, "--wait=hv", "sync")

    def msgs(mtype):
        out = []
        for p in sb.received("vifsrv"):
            if p.get("udp.dst") == 547:
                _, _, body = P.udp_payload(P.parse(p.data))
                if body[0] == mtype:
                    out.append(body)
        return out
    sol = proc.wait_for(lambda: msgs(pd.SOLICIT), 15, what="PD SOLICIT")[0]
    xid = sol[1:4]
    assert 25 in dict(dhcp.parse_v6_options(sol[4:], request=False))      # IA_PD
    srv_mac = "50:54:00:00:0d:01"
    srv_ip = ipaddress.IPv6Address("fe80::5254:ff:fe00:d01").packed
    r_lla = pd.lla(P.mac_bytes(rmac))
    prefix = ipaddress.IPv6Address("2001:db8:42::").packed
    duid = b"\0\3\0\1" + P.mac_bytes(srv_mac)

    def server_msg(mtype, xid):
        ia = opt6(25, struct.pack("!III", 1, 1800, 2880) +
                  opt6(26, struct.pack("!IIB", 3600, 7200, 48) + prefix))
        body = bytes([mtype]) + xid + opt6(2, duid) + ia
        return P.eth(P.mac_bytes(rmac), P.mac_bytes(srv_mac), P.ETH_IP6,
                     P.ip6(srv_ip, r_lla, P.PROTO_UDP, P.udp(6, srv_ip, r_lla, 547, 546, body), 255))
    sb.inject("vifsrv", server_msg(pd.ADVERTISE, xid))
    req = proc.wait_for(lambda: msgs(pd.REQUEST), 10, what="PD REQUEST")[0]
    sb.inject("vifsrv", server_msg(pd.REPLY, req[1:4]))

    def pd_list():
        return sbctl(sb, "--bare", "--columns=options", "find", "Port_Binding",
                     "logical_port=lrp-up")
    proc.wait_for(lambda: "ipv6_ra_pd_list" in pd_list(), 10, what="ipv6_ra_pd_list")
    assert "1:2001:db8:42::/48" in pd_list()


def test_copp_meter_on_controller_actions(env):
    from tests.controller.helpers import ofctl_flows
    sb = env
    nbctl(sb, "meter-add", "reject-meter", "drop", "10", "pktps")
    nbctl(sb, "copp-add", "copp0", "reject", "reject-meter")
    nbctl(sb, "ls-copp-add", "copp0", "sw0")
    nbctl(sb, "acl-add", "sw0", "from-lport", "1001", "udp.dst == 9998", "reject")
    nbctl(sb, "--wait=hv", "sync")
    # The reject's controller() action is metered: the switch, not pinctrl,
    # rate-limits what reaches the controller.
    flows = [f for f in ofctl_flows(sb, "hv1") if "tp_dst=9998" in f and "controller(" in f]
    assert flows and all("meter_id=" in f for f in flows)
    n = len(sb.received("vif1"))
    sb.inject("vif1", "eth(src=%s,dst=%s)/ip4(src=10.0.0.1,dst=10.0.1.5)/udp(src=7,dst=9998)"
              % (P1MAC, RMAC0))
    _received_after(sb, "vif1", n, lambda p: p.get("icmp4.type") == 3)
    nbctl(sb, "acl-del", "sw0", "from-lport", "1001", "udp.dst == 9998")


def test_igmp_querier(env):
    sb = env
    nbctl(sb, "set", "Logical_Switch", "sw0", "other_config:mcast_snoop=true",
          "other_config:mcast_querier=true", "other_config:mcast_eth_src=00:00:00:00:aa:01",
          "other_config:mcast_ip4_src=10.0.0.250", "other_config:mcast_query_interval=1")
    nbctl(sb, "--wait=hv", "sync")

    def queries():
        return [p for p in sb.received("vif1") if p.get("eth.dst") == "01:00:5e:00:00:01"
                and p.get("ip4.src") == "10.0.0.250"]
    q = proc.wait_for(queries, 10, what="IGMP general query")[0]
    assert q["eth.src"] == "00:00:00:00:aa:01" and q["ip4.dst"] == "224.0.0.1"
    nbctl(sb, "set", "Logical_Switch", "sw0", "other_config:mcast_querier=false")


def test_udp_health_check_icmp_unreachable(sandbox_factory):
    from pyovn.controller.pinctrl import pkt as P
    sb = sandbox_factory(chassis=2, northd="c", controller="py")
    nbctl(sb, "ls-add", "sw0",
          "--", "lsp-add", "sw0", "b1", "--", "lsp-set-addresses", "b1",
          "50:54:00:00:00:01 10.0.0.1")
    sb.add_vif("hv1", "vifb1", "b1")
    sb.wait_port_up("b1")
    nbctl(sb, "lb-add", "lb1", "10.0.0.100:53", "10.0.0.1:53", "udp",
          "--", "set", "Load_Balancer", "lb1", "ip_port_mappings:10.0.0.1=b1:10.0.0.99",
          "--", "--id=@hc", "create", "Load_Balancer_Health_Check", 'vip="10.0.0.100:53"',
          "options:interval=1", "options:timeout=5", "options:success_count=1",
          "options:failure_count=1",
          "--", "add", "Load_Balancer", "lb1", "health_check", "@hc",
          "--", "ls-lb-add", "sw0", "lb1")
    nbctl(sb, "--wait=hv", "sync")
    probe = proc.wait_for(lambda: [p for p in sb.received("vifb1") if p.get("udp.dst") == 53
                                   and p.get("ip4.src") == "10.0.0.99"], 10, what="UDP probe")[0]
    # Nothing listens: ICMP port unreachable quoting the probe.
    q = probe.data[14:14 + 28]
    src, dst = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 99])
    icmp = P.icmp4(3, 3, b"\0" * 4, q)
    sb.inject("vifb1", P.eth(P.mac_bytes(probe["eth.src"]), P.mac_bytes("50:54:00:00:00:01"),
                             P.ETH_IP4, P.ip4(src, dst, 1, icmp, 64)))
    proc.wait_for(lambda: sbctl(sb, "--bare", "--columns=status", "list",
                                "Service_Monitor").strip() == "offline", 10, what="offline")
