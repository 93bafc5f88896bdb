"""pinctrl handlers on crafted packet-ins (real codec, no switch):
generated packets, DHCP/DNS replies, MAC_Binding queueing, and the
control-plane protection cases (truncated / length-lying packets)."""

import ipaddress
import struct

import pytest
from hypothesis import given, settings, strategies as st

from pyovn import packet
from pyovn.controller.pinctrl import dhcp, dns, generate, igmp, pkt as P
from pyovn.controller.pinctrl.pkt import Drop
from pyovn.openflow.codec import messages as W
from tests.pinctrl.helpers import result_bit, run

MAC1, RMAC = "50:54:00:00:00:01", "00:00:00:00:ff:01"


def compose(spec):
    return packet.compose(spec)


def ping4(extra=""):
    return compose("eth(src=%s,dst=%s)/ip4(src=10.0.0.1,dst=10.0.1.5%s)/"
                   "icmp4(type=8,id=1,seq=1)" % (MAC1, RMAC, extra))


# --- packet generation ----------------------------------------------------------

def test_arp_request_from_ipv4_packet_runs_nested_actions():
    sent, log, _ = run(ping4(), "arp { eth.dst = ff:ff:ff:ff:ff:ff; output; };")
    assert log == [] and len(sent) == 1
    out = sent[0]
    assert isinstance(out, W.PacketOut) and out.in_port == 0xfffffffd
    p = packet.decode(out.data)
    assert p["arp.op"] == 1 and p["arp.spa"] == "10.0.0.1" and p["arp.tpa"] == "10.0.1.5"
    assert p["arp.sha"] == MAC1 and p["arp.tha"] == "00:00:00:00:00:00"
    kinds = [(a.kind, a.args.get("field")) for a in out.actions]
    # Logical metadata reloaded first, then the nested actions.
    assert kinds[0] == ("set_field", "metadata") and ("set_field", "eth_dst") in kinds
    assert kinds[-1] == ("resubmit", None)


def test_vlan_kept_on_generated_arp():
    d = compose("eth(src=%s,dst=%s)/vlan(vid=10)/ip4(src=10.0.0.1,dst=10.0.1.5)/"
                "udp(src=1,dst=2)" % (MAC1, RMAC))
    sent, _, _ = run(d, "arp { output; };")
    p = packet.decode(sent[0].data)
    assert p["vlan.vid"] == 10 and p["arp.tpa"] == "10.0.1.5"


def test_nd_ns_and_nd_na():
    d = compose("eth(src=%s,dst=%s)/ip6(src=fd00::1,dst=fd01::5)/udp(src=1,dst=2)"
                % (MAC1, RMAC))
    sent, _, _ = run(d, "nd_ns { output; };")
    p = packet.decode(sent[0].data)
    assert p["ip6.dst"] == "ff02::1:ff00:5" and p["eth.dst"] == "33:33:ff:00:00:05"
    assert p["nd_ns.target"] == "fd01::5"
    ns = sent[0].data
    sent, _, _ = run(ns, "nd_na_router { output; };")
    na = packet.decode(sent[0].data)
    assert na["nd_na.target"] == "fd01::5" and na["ip6.src"] == "fd01::5"
    assert na["ip6.dst"] == "fd00::1" and na["eth.dst"] == MAC1
    flags = struct.unpack_from("!I", sent[0].data, 14 + 40 + 4)[0]
    assert flags & 0x80000000 and flags & 0x40000000     # router, solicited


def test_icmp4_error_and_frag_mtu():
    sent, _, _ = run(ping4(), "icmp4_error { icmp4.type = 3; output; };")
    p = packet.decode(sent[0].data)
    assert p["ip4.ttl"] == 255 and p["icmp4.type"] == 3
    # The original IP header + 8 bytes follow the ICMP header.
    orig = ping4()[14:14 + 28]
    assert sent[0].data[14 + 20 + 8:] == orig
    assert P.csum(sent[0].data[34:]) == 0
    # frag_mtu (paused) sets the MTU and fixes the checksum.
    sent2, _, _ = run(sent[0].data, "icmp4.frag_mtu = 1400;")
    out = sent2[0]
    assert isinstance(out, W.Resume)
    assert struct.unpack_from("!H", out.packet, 34 + 6)[0] == 1400
    assert P.csum(out.packet[34:]) == 0


def test_reject_udp_is_port_unreachable_back_to_sender():
    d = compose("eth(src=%s,dst=%s)/ip4(src=10.0.0.1,dst=10.0.0.2)/udp(src=1000,dst=53)"
                % (MAC1, RMAC))
    sent, _, _ = run(d, "reject { output; };")
    p = packet.decode(sent[0].data)
    assert (p["icmp4.type"], p["icmp4.code"]) == (3, 3)
    assert p["ip4.dst"] == "10.0.0.1" and p["eth.dst"] == MAC1


def test_tcp_reset_seq_ack():
    d = compose("eth(src=%s,dst=%s)/ip4(src=10.0.0.1,dst=10.0.0.2)/"
                "tcp(src=1000,dst=80,seq=100,flags=S)" % (MAC1, RMAC))
    sent, _, _ = run(d, "tcp_reset { output; };")
    p = packet.decode(sent[0].data)
    assert p["tcp.ack"] == 101 and p["tcp.seq"] == 0
    sent, _, _ = run(d, "reject { output; };")
    p = packet.decode(sent[0].data)
    assert p["tcp.dst"] == 1000 and p["ip4.dst"] == "10.0.0.1"


def test_sctp_abort_checksum():
    body = struct.pack("!HHII", 5000, 80, 0, 0) + struct.pack("!BBHI", 1, 0, 8, 0xabcdef01)
    d = P.eth(P.mac_bytes(RMAC), P.mac_bytes(MAC1), P.ETH_IP4,
              P.ip4(bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]), P.PROTO_SCTP, body))
    sent, _, _ = run(d, "sctp_abort { output; };")
    seg = sent[0].data[34:]
    assert struct.unpack_from("!I", seg, 4)[0] == 0xabcdef01      # INIT's tag
    assert seg[12] == 6
    c = struct.unpack_from("<I", seg, 8)[0]
    assert generate.crc32c(seg[:8] + b"\0" * 4 + seg[12:]) == c


# --- MAC bindings -----------------------------------------------------------------

def test_put_arp_queues_binding_bounded():
    d = compose("eth(src=%s,dst=ff:ff:ff:ff:ff:ff)/arp(op=2,sha=%s,spa=10.0.0.9,tpa=10.0.0.254)"
                % (MAC1, MAC1))
    # The encoding loads arp.spa into reg0 before the controller action.
    _, log, pc = run(d, "put_arp(inport, arp.spa, arp.sha);", dp=3, port=2,
                     regs={0: 0x0a000009})
    assert pc.neighbors.pending == {(3, 2, "10.0.0.9"): MAC1}
    from pyovn.controller.pinctrl import neighbor
    n = neighbor.Neighbors()
    for i in range(neighbor.MAX_PENDING + 5):
        n.add(1, 1, "10.1.%d.%d" % (i // 256, i % 256), MAC1)
    assert len(n.pending) == neighbor.MAX_PENDING and n.n_dropped == 5


def test_put_nd_reads_xxreg0():
    d = compose("eth(src=%s,dst=%s)/ip6(src=fd00::9,dst=fd00::1)/udp(src=1,dst=2)"
                % (MAC1, RMAC))
    ip = int(ipaddress.IPv6Address("fd00::9"))
    regs = {i: (ip >> (32 * (3 - i))) & 0xffffffff for i in range(4)}
    _, _, pc = run(d, "put_nd(inport, ip6.src, eth.src);", dp=3, port=2, regs=regs)
    assert pc.neighbors.pending == {(3, 2, "fd00::9"): MAC1}


# --- DHCP ---------------------------------------------------------------------------

DHCP_ACTION = ("reg0[3] = put_dhcp_opts(offerip = 10.0.0.5, router = 10.0.0.1, "
               "netmask = 255.255.255.0, server_id = 10.0.0.1, lease_time = 3600, "
               "dns_server = {8.8.8.8, 7.7.7.7}, domain_name = \"ovn.org\", mtu = 1442);")


def dhcp_request(mtype, extra=b""):
    bootp = bytearray(236)
    bootp[0], bootp[1], bootp[2] = 1, 1, 6
    bootp[4:8] = b"\x12\x34\x56\x78"
    bootp[28:34] = P.mac_bytes(MAC1)
    opts = bytes([53, 1, mtype]) + extra + b"\xff"
    body = bytes(bootp) + dhcp.MAGIC + opts
    return P.eth(b"\xff" * 6, P.mac_bytes(MAC1), P.ETH_IP4,
                 P.ip4(b"\0" * 4, b"\xff" * 4, P.PROTO_UDP,
                       P.udp(4, b"\0" * 4, b"\xff" * 4, 68, 67, body)))


def reply_opts(data):
    p = P.parse(data)
    _, _, body = P.udp_payload(p)
    return body, dhcp.parse_v4_options(body[240:])


def test_dhcp_discover_gets_offer_with_options():
    sent, log, _ = run(dhcp_request(dhcp.DISCOVER), DHCP_ACTION)
    assert log == []
    out = sent[0]
    assert isinstance(out, W.Resume) and result_bit(out) == 1
    body, opts = reply_opts(out.packet)
    assert body[0] == 2 and body[16:20] == bytes([10, 0, 0, 5]) and body[4:8] == b"\x12\x34\x56\x78"
    assert opts[53] == bytes([dhcp.OFFER]) and opts[3] == bytes([10, 0, 0, 1])
    assert opts[1] == bytes([255, 255, 255, 0]) and opts[51] == struct.pack("!I", 3600)
    assert opts[6] == bytes([8, 8, 8, 8, 7, 7, 7, 7]) and opts[15] == b"ovn.org"
    assert opts[26] == struct.pack("!H", 1442) and opts[54] == bytes([10, 0, 0, 1])


def test_dhcp_request_ack_and_nak():
    sent, _, _ = run(dhcp_request(dhcp.REQUEST, bytes([50, 4, 10, 0, 0, 5])), DHCP_ACTION)
    assert reply_opts(sent[0].packet)[1][53] == bytes([dhcp.ACK])
    sent, _, _ = run(dhcp_request(dhcp.REQUEST, bytes([50, 4, 10, 0, 0, 6])), DHCP_ACTION)
    body, opts = reply_opts(sent[0].packet)
    assert opts[53] == bytes([dhcp.NAK]) and body[16:20] == b"\0" * 4 and 3 not in opts
    # RELEASE: no reply, result 0, packet unchanged.
    d = dhcp_request(dhcp.RELEASE)
    sent, _, _ = run(d, DHCP_ACTION)
    assert result_bit(sent[0]) == 0 and sent[0].packet == d


def test_dhcp_option_running_past_end_is_dropped():
    d = dhcp_request(dhcp.DISCOVER, bytes([12, 40]) + b"host")
    sent, log, _ = run(d, DHCP_ACTION)
    assert result_bit(sent[0]) == 0 and sent[0].packet == d
    assert "DHCP option 53" not in log[0] and "claims 40 bytes" in log[0]


DHCP6_ACTION = ("reg0[3] = put_dhcpv6_opts(ia_addr = fd00::5, server_id = 00:00:00:00:10:02, "
                "dns_server = {fd00::53}, domain_search = \"ovn.org\");")


def dhcp6(mtype, opts):
    body = bytes([mtype]) + b"\xab\xcd\xef" + opts
    src = ipaddress.IPv6Address("fe80::1").packed
    dst = ipaddress.IPv6Address("ff02::1:2").packed
    return P.eth(b"\x33\x33\0\x01\0\x02", P.mac_bytes(MAC1), P.ETH_IP6,
                 P.ip6(src, dst, P.PROTO_UDP, P.udp(6, src, dst, 546, 547, body)))


def opt6(code, data):
    return struct.pack("!HH", code, len(data)) + data


def test_dhcpv6_solicit_advertise():
    req = opt6(1, b"\0\3\0\1" + P.mac_bytes(MAC1)) + opt6(3, b"\0\0\0\7" + b"\0" * 8)
    sent, log, _ = run(dhcp6(dhcp.SOLICIT, req), DHCP6_ACTION)
    assert log == [] and result_bit(sent[0]) == 1
    _, _, body = P.udp_payload(P.parse(sent[0].packet))
    assert body[0] == dhcp.ADVERTISE and body[1:4] == b"\xab\xcd\xef"
    opts = dict(dhcp.parse_v6_options(body[4:]))
    assert opts[1] == b"\0\3\0\1" + P.mac_bytes(MAC1)
    assert opts[2] == b"\0\3\0\1" + bytes.fromhex("000000001002")
    ia = opts[3]
    assert ia[:4] == b"\0\0\0\7"
    ia_addr = dict(dhcp.parse_v6_options(ia[12:]))[5]
    assert ia_addr[:16] == ipaddress.IPv6Address("fd00::5").packed
    assert opts[23] == ipaddress.IPv6Address("fd00::53").packed
    assert opts[24] == b"\3ovn\3org\0"


@pytest.mark.parametrize("bad", [
    opt6(1, b""),                                   # Client Identifier with no data
    opt6(1, b"\0\3\0\1") + opt6(3, b"\0\0\0\7"),   # IA_NA shorter than 12 bytes
    struct.pack("!HH", 1, 50) + b"\0\3",           # length beyond the packet
    b"\0\1\0",                                      # truncated option header
])
def test_dhcpv6_bad_option_lengths_dropped(bad):
    d = dhcp6(dhcp.SOLICIT, bad)
    sent, log, pc = run(d, DHCP6_ACTION)
    assert result_bit(sent[0]) == 0 and sent[0].packet == d
    assert pc.drops == 1 and "put_dhcpv6_opts" in log[0]


# --- DNS --------------------------------------------------------------------------

def dns_query(name, qtype=1, additional=b"", arcount=0, qid=0x4242):
    q = b"".join(bytes([len(x)]) + x.encode() for x in name.split(".")) + b"\0"
    return struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, arcount) + q + \
        struct.pack("!HH", qtype, 1) + additional


def test_dns_answers_a_aaaa_ptr():
    recs = [{"vm1.ovn.org": "10.0.0.5 fd00::5", "5.0.0.10.in-addr.arpa": "vm1.ovn.org"}]
    r = dns.build_reply(dns_query("VM1.ovn.org"), recs)
    qid, flags, qd, an, ns, ar = struct.unpack_from("!HHHHHH", r)
    assert (qid, qd, an, ar) == (0x4242, 1, 1, 0) and flags & 0x8000
    assert r.endswith(bytes([10, 0, 0, 5]))
    r = dns.build_reply(dns_query("vm1.ovn.org", 28), recs)
    assert r.endswith(ipaddress.IPv6Address("fd00::5").packed)
    r = dns.build_reply(dns_query("5.0.0.10.in-addr.arpa", 12), recs)
    assert r.endswith(b"\3vm1\3ovn\3org\0")
    assert dns.build_reply(dns_query("vm2.ovn.org"), recs) is None


def test_dns_with_edns_opt_record():
    opt_rr = b"\0" + struct.pack("!HHIH", 41, 4096, 0, 0)
    recs = [{"vm1.ovn.org": "10.0.0.5"}]
    r = dns.build_reply(dns_query("vm1.ovn.org", additional=opt_rr, arcount=1), recs)
    qid, flags, qd, an, ns, ar = struct.unpack_from("!HHHHHH", r)
    assert (an, ar) == (1, 0)
    # The answer is right after the question; nothing of the OPT record.
    assert r[-4:] == bytes([10, 0, 0, 5]) and b"\x00\x29\x10\x00" not in r
    # A lying OPT record (rdlength past the end) changes nothing.
    bad = b"\0" + struct.pack("!HHIH", 41, 4096, 0, 500)
    assert dns.build_reply(dns_query("vm1.ovn.org", additional=bad, arcount=1), recs) == r


@pytest.mark.parametrize("body", [
    b"\0" * 5,
    struct.pack("!HHHHHH", 1, 0x100, 1, 0, 0, 0) + b"\x20abc",      # label past the end
    struct.pack("!HHHHHH", 1, 0x100, 1, 0, 0, 0) + b"\xc0\x0c\0\1\0\1",   # pointer loop
    struct.pack("!HHHHHH", 1, 0x100, 1, 0, 0, 0) + b"\3abc\0",    # no type/class
])
def test_dns_malformed_queries_dropped(body):
    with pytest.raises(Drop):
        dns.parse_query(body)


def test_dns_handler_resumes_with_result_zero_on_bad_query():
    d = P.eth(P.mac_bytes(RMAC), P.mac_bytes(MAC1), P.ETH_IP4,
              P.ip4(bytes([10, 0, 0, 1]), bytes([10, 0, 0, 254]), P.PROTO_UDP,
                    P.udp(4, bytes([10, 0, 0, 1]), bytes([10, 0, 0, 254]), 999, 53, b"\0" * 5)))
    sent, log, pc = run(d, "reg0[4] = dns_lookup();")
    assert result_bit(sent[0], bit=4 + 32) == 0 and pc.drops == 1


# --- length-lying and truncated packets ----------------------------------------------

def test_icmp_need_frag_with_bogus_total_length_dropped():
    d = bytearray(ping4())
    d[16:18] = struct.pack("!H", 1500)         # IPv4 total length beyond the frame
    for action in ("icmp4_error { icmp4.frag_mtu = 1400; output; };", "icmp4.frag_mtu = 1400;",
                   "arp { output; };"):
        sent, log, pc = run(bytes(d), action)
        assert pc.drops == 1 and "exceeds" in log[0]
        assert all(isinstance(m, W.Resume) is False for m in sent) or not sent
    d[16:18] = struct.pack("!H", 10)            # below the header length
    with pytest.raises(Drop):
        P.parse(bytes(d))


def test_ipv6_compose_overflow():
    with pytest.raises(ValueError):
        P.ip6(b"\0" * 16, b"\0" * 16, 17, b"\0" * 70000)
    # icmp6_error of a large packet stays within the IPv6 minimum MTU.
    big = compose("eth(src=%s,dst=%s)/ip6(src=fd00::1,dst=fd01::5)/udp(src=1,dst=2)"
                  % (MAC1, RMAC))
    payload = b"x" * 9000
    p = P.parse(big)
    big = P.eth(p.dst, p.src, P.ETH_IP6, P.ip6(p.ip_src, p.ip_dst, 17,
                                              P.udp(6, p.ip_src, p.ip_dst, 1, 2, payload)))
    sent, _, _ = run(big, "icmp6_error { output; };")
    assert len(sent[0].data) - 14 <= 1280
    assert P.parse(sent[0].data).l4_end == len(sent[0].data)


def test_ipv6_payload_length_lie_dropped():
    d = bytearray(compose("eth(src=%s,dst=%s)/ip6(src=fd00::1,dst=fd01::5)/udp(src=1,dst=2)"
                          % (MAC1, RMAC)))
    d[18:20] = struct.pack("!H", 4000)
    sent, log, pc = run(bytes(d), "nd_ns { output; };")
    assert sent == [] and pc.drops == 1


def test_drops_are_rate_limited():
    from tests.pinctrl.helpers import Log, pin
    from pyovn.controller.pinctrl import Pinctrl
    log = Log()
    pc = Pinctrl(log, sender=lambda m: None)
    bad = pin(b"\0" * 10, "arp { output; };")
    for _ in range(200):
        pc.packet_in(bad)
    assert pc.drops == 200 and len(log.lines) < 40


# --- fuzzing: no exception but Drop escapes the parsers ------------------------------

PARSERS = [
    lambda d: P.parse(d),
    lambda d: dhcp.parse_v4_request(P.parse(d)),
    lambda d: dhcp.parse_v6_request(P.parse(d)),
    lambda d: dhcp.parse_v6_options(d),
    lambda d: dhcp.parse_v4_options(d),
    lambda d: dns.parse_query(d),
    lambda d: dns.build_reply(d, [{"a.b": "1.2.3.4"}]),
    lambda d: igmp.parse(P.parse(d)),
]
PARSERS += [lambda d, b=b: b(P.parse(d)) for b in generate.BUILDERS.values()]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200), st.sampled_from(range(len(PARSERS))))
def test_fuzz_parsers(data, which):
    try:
        PARSERS[which](data)
    except Drop:
        pass


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=34, max_size=120))
def test_fuzz_ipv4_headers(tail):
    # Valid Ethernet + IPv4 start so the deeper parsers are reached.
    d = P.mac_bytes(RMAC) + P.mac_bytes(MAC1) + b"\x08\x00\x45" + tail
    for f in PARSERS:
        try:
            f(d)
        except Drop:
            pass


# --- put_fdb, trigger_event, log -----------------------------------------------------

def test_put_fdb_queues_and_bounds():
    from pyovn.controller.pinctrl import fdb
    d = compose("eth(src=%s,dst=%s)/ip4(src=10.0.0.1,dst=10.0.0.2)/udp(src=1,dst=2)"
                % (MAC1, RMAC))
    _, _, pc = run(d, "put_fdb(inport, eth.src);", dp=4, port=3)
    assert pc.fdb.pending == {(4, MAC1): 3}
    f = fdb.Fdb()
    for i in range(fdb.MAX_PENDING + 2):
        f.add(1, "00:00:00:00:%02x:%02x" % (i // 256, i % 256), 1)
    assert f.n_dropped == 2


def test_trigger_event_parsed_once():
    from pyovn.controller.pinctrl import events
    lb = "9a4c3f40-8c1b-4a4e-a53c-6a0d9e3bd2a1"
    d = compose("eth(src=%s,dst=%s)/ip4(src=10.0.0.1,dst=10.0.0.100)/tcp(src=1,dst=80)"
                % (MAC1, RMAC))
    action = ('trigger_event(event = "empty_lb_backends", vip = "10.0.0.100:80", '
              'protocol = "tcp", load_balancer = "%s");' % lb)
    _, log, pc = run(d, action)
    assert log == []
    assert pc.events.pending == [("empty_lb_backends", (("load_balancer", lb),
                                                        ("protocol", "tcp"),
                                                        ("vip", "10.0.0.100:80")))]
    assert not pc.events.add("empty_lb_backends", {"load_balancer": lb, "protocol": "tcp",
                                                   "vip": "10.0.0.100:80"})
    with pytest.raises(Drop):
        events.parse_event(b"\0\0\0\0\0\1\0\x50abc")     # option longer than the payload
    with pytest.raises(Drop):
        events.parse_event(b"\0\0\0\x07")                # unknown event type


def test_acl_log_line():
    d = compose("eth(src=%s,dst=%s)/ip4(src=10.0.0.1,dst=10.0.0.2)/udp(src=7,dst=9999)"
                % (MAC1, RMAC))
    _, log, pc = run(d, 'log(name="acl1", verdict=drop, severity=warning);')
    assert pc.acl_lines == ['name="acl1", verdict=drop, severity=warning, direction=from-lport: '
                            'udp,dl_src=%s,dl_dst=%s,nw_src=10.0.0.1,nw_dst=10.0.0.2,nw_ttl=64,'
                            'tp_src=7,tp_dst=9999' % (MAC1, RMAC)]
    assert log[0].startswith("acl_log: name=\"acl1\"")


# --- router advertisements ---------------------------------------------------------

def test_put_nd_ra_opts_answers_rs():
    rs = compose("eth(src=%s,dst=33:33:00:00:00:02)/ip6(src=fe80::1,dst=ff02::2,hlim=255)/"
                 "nd_rs(sll=%s)" % (MAC1, MAC1))
    action = ('reg0[5] = put_nd_ra_opts(addr_mode = "slaac", slla = 00:00:00:00:ff:01, '
              'prefix = fd00::/64, mtu = 1400);')
    sent, log, _ = run(rs, action)
    assert log == [] and result_bit(sent[0], bit=5 + 32) == 1
    p = P.parse(sent[0].packet)
    icmp = sent[0].packet[p.l4:p.l4_end]
    assert icmp[0] == 134 and P.l4_csum(6, p.ip_src, p.ip_dst, 58, icmp) == 0
    assert bytes([1, 1]) + P.mac_bytes(RMAC) in icmp          # slla option
    assert bytes([3, 4, 64, 0xc0]) in icmp and bytes([5, 1, 0, 0]) + (1400).to_bytes(4, "big") in icmp
    # Not a router solicitation: result 0, packet unchanged.
    other = ping4()
    sent, log, _ = run(other, action)
    assert result_bit(sent[0], bit=5 + 32) == 0 and sent[0].packet == other


def test_periodic_ra_contents():
    from pyovn.controller.pinctrl import ra
    frame = ra.build_periodic_ra({
        "ipv6_ra_src_eth": RMAC, "ipv6_ra_src_addr": "fe80::200:ff:feff:1",
        "ipv6_ra_address_mode": "dhcpv6_stateless", "ipv6_ra_prefixes": "fd00::/64 fd01::/64",
        "ipv6_ra_mtu": "1450", "ipv6_ra_prf": "HIGH", "ipv6_ra_max_interval": "30",
        "ipv6_ra_rdnss": "fd00::53", "ipv6_ra_dnssl": "ovn.org"})
    p = P.parse(frame)
    icmp = frame[p.l4:p.l4_end]
    assert P.mac_str(p.dst) == "33:33:00:00:00:01" and P.ip_str(p.ip_dst) == "ff02::1"
    assert icmp[0] == 134 and icmp[5] == 0x40 | 0x08
    assert P.l4_csum(6, p.ip_src, p.ip_dst, 58, icmp) == 0
    assert icmp.count(bytes([3, 4, 64, 0xc0])) == 2
    assert bytes([25, 3, 0, 0]) in icmp and b"\3ovn\3org\0" in icmp
    with pytest.raises(ValueError):
        ra.build_periodic_ra({"ipv6_ra_src_eth": "zz", "ipv6_ra_src_addr": "fe80::1"})


def test_result_bit_set_in_masked_register():
    # OVS reports registers it knows only partly with a mask: the result
    # bit must be inside the mask or the switch ignores it.
    from pyovn.controller.pinctrl import ofio
    pin = W.PacketIn2(metadata=[("xreg0", 0xff01, 0xffffffff)], continuation=b"\1" * 8)
    meta = ofio.set_result(pin, "xxreg0", 101, 1)           # reg0[5]
    assert meta == [("xreg0", 0xff01 | 1 << 37, 0xffffffff | 1 << 37)]


def test_garp_entries_and_backoff():
    from pyovn.controller.pinctrl import garp
    mac, ips, port = garp.parse_entry('00:00:00:00:ff:02 172.16.0.100 fd00::1 172.16.0.101 '
                                      'is_chassis_resident("cr-lrp1")')
    assert P.mac_str(mac) == "00:00:00:00:ff:02" and port == "cr-lrp1"
    assert [P.ip_str(i) for i in ips] == ["172.16.0.100", "172.16.0.101"]
    with pytest.raises(ValueError):
        garp.parse_entry("not-a-mac 1.2.3.4")
    frame = garp.garp(mac, ips[0])
    p = packet.decode(frame)
    assert p["arp.spa"] == p["arp.tpa"] == "172.16.0.100" and p["eth.dst"] == "ff:ff:ff:ff:ff:ff"
    sent = []

    class PC:
        send = staticmethod(sent.append)
    a = garp.Announcer()
    key = (1, 2, 3, frame)
    times = []
    for t in range(0, 40):
        n = len(sent)
        a.run(PC, {key}, now=float(t))
        if len(sent) > n:
            times.append(t)
    assert times == [0, 1, 3, 7, 15]
    a.run(PC, set(), now=41.0)          # gone (failover away) ...
    a.run(PC, {key}, now=42.0)          # ... and back: announced again
    assert len(sent) == 6


# --- IGMP / MLD ----------------------------------------------------------------------

def _ip4_igmp(msg):
    return P.eth(b"\x01\x00\x5e\0\0\x16", P.mac_bytes(MAC1), P.ETH_IP4,
                 P.ip4(bytes([10, 0, 0, 1]), bytes([224, 0, 0, 22]), 2, msg, ttl=1))


def test_igmp_v3_and_mld_v2_reports():
    from pyovn.controller.pinctrl import igmp
    recs = struct.pack("!BBH4s", igmp.TO_EXCLUDE, 0, 0, bytes([239, 1, 1, 1]))
    recs += struct.pack("!BBH4s4s", igmp.ALLOW, 0, 1, bytes([239, 1, 1, 2]), bytes([1, 2, 3, 4]))
    recs += struct.pack("!BBH4s", igmp.TO_INCLUDE, 0, 0, bytes([239, 1, 1, 3]))
    recs += struct.pack("!BBH4s", igmp.TO_EXCLUDE, 0, 0, bytes([224, 0, 0, 251 - 200]))
    msg = struct.pack("!BBHHH", 0x22, 0, 0, 0, 4) + recs
    joins, leaves = igmp.parse(P.parse(_ip4_igmp(msg)))
    assert joins == ["239.1.1.1", "239.1.1.2"] and leaves == ["239.1.1.3"]
    # A record claiming more sources than present is dropped.
    bad = struct.pack("!BBHHH", 0x22, 0, 0, 0, 1) + struct.pack("!BBH4s", 2, 0, 9, bytes(4))
    with pytest.raises(Drop):
        igmp.parse(P.parse(_ip4_igmp(bad)))
    # MLDv2 behind a hop-by-hop header.
    grp = ipaddress.IPv6Address("ff05::1:3").packed
    mld = struct.pack("!BBHHH", 143, 0, 0, 0, 1) + struct.pack("!BBH", 4, 0, 0) + grp
    hbh = bytes([58, 0, 5, 2, 0, 0, 1, 0])
    src, dst = ipaddress.IPv6Address("fe80::1").packed, ipaddress.IPv6Address("ff02::16").packed
    d = P.eth(b"\x33\x33\0\0\0\x16", P.mac_bytes(MAC1), P.ETH_IP6, P.ip6(src, dst, 0, hbh + mld, 1))
    assert igmp.parse(P.parse(d)) == (["ff05::1:3"], [])


def test_igmp_query_frame():
    from pyovn.controller.pinctrl import igmp
    f = igmp.query_frame("00:00:00:00:aa:01", "10.0.0.254", 1)
    p = P.parse(f)
    assert P.ip_str(p.ip_dst) == "224.0.0.1" and p.proto == 2 and p.ttl == 1
    assert P.csum(f[14:p.l4]) == 0 and P.csum(f[p.l4:]) == 0 and f[p.l4] == 0x11


# --- BFD ----------------------------------------------------------------------------

def _bfd_frame(body):
    src, dst = bytes([172, 16, 0, 2]), bytes([172, 16, 0, 1])
    return P.eth(P.mac_bytes(RMAC), P.mac_bytes(MAC1), P.ETH_IP4,
                 P.ip4(src, dst, P.PROTO_UDP, P.udp(4, src, dst, 49152, 3784, body)))


@pytest.mark.parametrize("body, why", [
    (b"\x20\x40\x03", "of 3 bytes"),                                        # short payload
    (struct.pack("!BBBBIIIII", 0x20, 0x40, 3, 48, 7, 0, 1, 1, 0), "length field 48"),
    (struct.pack("!BBBBIIIII", 0x20, 0x40, 3, 20, 7, 0, 1, 1, 0), "length field 20"),
    (struct.pack("!BBBBIIIII", 0x40, 0x40, 3, 24, 7, 0, 1, 1, 0), "version 2"),
    (struct.pack("!BBBBIIIII", 0x20, 0x40, 0, 24, 7, 0, 1, 1, 0), "multiplier 0"),
    (struct.pack("!BBBBIIIII", 0x20, 0xc0, 3, 24, 7, 0, 1, 1, 0), "your discriminator 0"),
])
def test_bfd_malformed_dropped(body, why):
    sent, log, pc = run(_bfd_frame(body), "handle_bfd_msg();")
    assert sent == [] and pc.drops == 1 and why in log[0]


def test_bfd_state_machine():
    from types import SimpleNamespace
    from pyovn.controller.pinctrl import bfd
    row = SimpleNamespace(logical_port="lrp1", dst_ip="172.16.0.2", src_port=49152, disc=77,
                          detect_mult=3, min_rx=100, min_tx=100, status=[])
    b = bfd.Bfd()
    s = b.sessions[bfd._key(row)] = bfd.Session()

    def rx(state, t):
        b.receive(row, bfd.parse_control(bfd.control(state, 3, 9, 77 if state else 0,
                                                      100000, 100000)), t)
    rx(bfd.DOWN, 0.0)
    assert s.state == bfd.INIT
    rx(bfd.UP, 0.1)
    assert s.state == bfd.UP and s.remote_disc == 9
    rx(bfd.DOWN, 0.2)
    assert s.state == bfd.DOWN
    with pytest.raises(Drop):           # addressed to another session
        b.receive(row, bfd.parse_control(bfd.control(bfd.UP, 3, 9, 78, 1, 1)), 0.3)


# --- every handler on random packets: only Drop escapes ---------------------------

HANDLER_ACTIONS = [
    "arp { output; };", "nd_ns { output; };", "nd_na { output; };",
    "nd_na_router { output; };", "icmp4 { output; };", "icmp6 { output; };",
    "icmp4_error { output; };", "icmp6_error { output; };", "tcp_reset { output; };",
    "sctp_abort { output; };", "reject { output; };", "icmp4.frag_mtu = 1400;",
    "icmp6.frag_mtu = 1400;", "put_arp(inport, arp.spa, arp.sha);",
    "put_nd(inport, nd.target, nd.tll);", DHCP_ACTION, DHCP6_ACTION,
    "reg0[4] = dns_lookup();", "put_fdb(inport, eth.src);", "igmp;",
    'reg0[5] = put_nd_ra_opts(addr_mode = "slaac", slla = 00:00:00:00:ff:01, '
    'prefix = fd00::/64);',
    'log(name="a", verdict=allow, severity=info);', "handle_bfd_msg();",
    "handle_dhcpv6_reply;", "handle_svc_check(inport);", "bind_vport(\"p2\", inport);",
]


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(HANDLER_ACTIONS),
       st.one_of(st.binary(max_size=120),
                 st.builds(lambda h, t: h + t,
                           st.sampled_from([ping4()[:34], dhcp_request(1)[:42],
                                            dhcp6(1, b"")[:62], _bfd_frame(b"")[:42]]),
                           st.binary(max_size=300))))
def test_fuzz_handlers(action, data):
    from pyovn.controller.pinctrl.dispatch import HANDLERS
    from pyovn.lang.actions import opcodes
    from tests.pinctrl.helpers import Log, pin
    from pyovn.controller.pinctrl import Pinctrl
    pc = Pinctrl(Log(), sender=lambda m: m.encode(1))   # what is sent must encode
    msg = pin(data, action)
    opcode, payload = opcodes.split_userdata(msg.userdata)
    try:
        HANDLERS[opcode](pc, msg, payload)
    except Drop:
        pass


def test_prefix_delegation_parsing():
    from pyovn.controller.pinctrl import pd
    with pytest.raises(Drop):
        pd.parse_ia_pd(b"\0" * 8)                                     # IA_PD too short
    with pytest.raises(Drop):                                         # IA Prefix too short
        pd.parse_ia_pd(struct.pack("!III", 1, 0, 0) + opt6(26, b"\0" * 10))
    pfx = ipaddress.IPv6Address("2001:db8:42::").packed
    iaid, t1, t2, out = pd.parse_ia_pd(struct.pack("!III", 1, 10, 20) +
                                       opt6(26, struct.pack("!IIB", 30, 60, 48) + pfx))
    assert (iaid, t1, t2, out) == (1, 10, 20, [(pfx, 48, 30, 60)])
    c = pd.PrefixDelegation()
    with pytest.raises(Drop):                     # nobody asked
        c.receive("lrp", pd.ADVERTISE, b"abc", [], 0.0)
    assert pd.lla(P.mac_bytes("00:00:00:00:dd:01")) == \
        ipaddress.IPv6Address("fe80::200:ff:fe00:dd01").packed
