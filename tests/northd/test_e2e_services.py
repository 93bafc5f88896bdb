"""pyovn northd with the C ovn-controller on 3 sandbox chassis: the
services of ovn-northd(8) that the controller answers itself or that need
conntrack -- ACL reject, stateful return traffic, switch load balancers,
DHCPv4 and DNS -- deliver real packets where the man page says.

One sandbox serves the whole module; each concern has its own logical
switch so their ACLs and load balancers do not meet.
"""

import ipaddress
import shutil
import struct
import tempfile
import time

import pytest

from pyovn.controller.pinctrl.dhcp import parse_v4_options
from pyovn.sandbox.sandbox import Sandbox

pytestmark = pytest.mark.peer

# name: (switch, chassis, vif, mac, ip)
PORTS = {
    # sw-acl: a1 is the protected "inside" VM, a2 the outside.
    "a1": ("sw-acl", "hv1", "vifa1", "50:54:00:00:01:01", "10.0.0.1"),
    "a2": ("sw-acl", "hv2", "vifa2", "50:54:00:00:01:02", "10.0.0.2"),
    # sw-lb: b1 is the client, b2 and b3 the backends on other chassis.
    "b1": ("sw-lb", "hv1", "vifb1", "50:54:00:00:02:01", "10.0.0.1"),
    "b2": ("sw-lb", "hv2", "vifb2", "50:54:00:00:02:02", "10.0.0.2"),
    "b3": ("sw-lb", "hv3", "vifb3", "50:54:00:00:02:03", "10.0.0.3"),
    # sw-svc: d1 gets DHCP and asks DNS.
    "d1": ("sw-svc", "hv3", "vifd1", "50:54:00:00:03:01", "10.0.0.10"),
}
VIP, VIP_PORT, BACKEND_PORT = "10.0.0.100", 80, 8080
SERVER_MAC, SERVER_IP = "00:00:00:10:00:01", "10.0.0.254"
DHCP_OPTS = {"server_id": SERVER_IP, "server_mac": SERVER_MAC,
             "lease_time": "3600", "router": "10.0.0.254", "dns_server": "8.8.8.8"}


def build(sb):
    nb = sb.nb_db()

    def txn_fn(txn):
        t = nb.tables
        switches = {}
        dhcp = txn.insert(t["DHCP_Options"])
        dhcp.cidr = "10.0.0.0/24"
        dhcp.options = DHCP_OPTS
        for name, (sw, _, _, mac, ip) in PORTS.items():
            lsp = txn.insert(t["Logical_Switch_Port"])
            lsp.name = name
            lsp.addresses = ["%s %s" % (mac, ip)]
            if name == "d1":
                lsp.dhcpv4_options = [dhcp]
            switches.setdefault(sw, []).append(lsp)

        def acl(direction, priority, match, action):
            a = txn.insert(t["ACL"])
            a.direction, a.priority, a.match, a.action = direction, priority, match, action
            return a
        acls = [
            acl("from-lport", 2000, 'inport == "a1" && tcp.dst == 7777', "reject"),
            acl("from-lport", 2000, 'inport == "a1" && udp.dst == 7777', "reject"),
            acl("from-lport", 1000, 'inport == "a1" && ip4', "allow-related"),
            acl("to-lport", 1000, 'outport == "a1" && ip4', "drop"),
        ]
        lb = txn.insert(t["Load_Balancer"])
        lb.name = "lb0"
        lb.protocol = ["tcp"]
        lb.vips = {"%s:%d" % (VIP, VIP_PORT):
                   "10.0.0.2:%d,10.0.0.3:%d" % (BACKEND_PORT, BACKEND_PORT)}
        dns = txn.insert(t["DNS"])
        dns.records = {"vm1.ovn.test": "10.0.0.11"}
        for sw, ports in switches.items():
            ls = txn.insert(t["Logical_Switch"])
            ls.name = sw
            ls.ports = ports
            if sw == "sw-acl":
                ls.acls = acls
            elif sw == "sw-lb":
                ls.load_balancer = [lb]
            else:
                ls.other_config = {"subnet": "10.0.0.0/24"}
                ls.dns_records = [dns]
    nb.transact(txn_fn)
    for name, (_, ch, vif, mac, _) in PORTS.items():
        sb.add_vif(ch, vif, name, mac=mac)
    for name, (_, ch, _, _, _) in PORTS.items():
        assert sb.wait_port_up(name) == ch
    sb.wait_hv()


@pytest.fixture(scope="module")
def sb(request):
    """One 3-chassis sandbox (pyovn northd, C ovn-controller) for the
    module, torn down at the end; kept on disk when a test failed."""
    failures_before = request.session.testsfailed
    box = Sandbox(tempfile.mkdtemp(prefix="pyovn-sbx-"))
    try:
        box.up(chassis=3, northd="py", controller="c")
        build(box)
        yield box
    finally:
        box.down()
        leftovers = box.running()
        if not leftovers and request.session.testsfailed == failures_before:
            shutil.rmtree(box.root, ignore_errors=True)
    assert not leftovers, "sandbox processes survived down: %s" % leftovers


def port(name):
    _, _, vif, mac, ip = PORTS[name]
    return vif, mac, ip


def l4(src, dst, proto, sport, dport, tag, flags=None):
    (_, smac, sip), (_, dmac, dip) = src, dst
    l4part = ("tcp(src=%d,dst=%d,flags=%s)" % (sport, dport, flags or "S")
              if proto == "tcp" else "udp(src=%d,dst=%d)" % (sport, dport))
    return ("eth(src=%s,dst=%s)/ip4(src=%s,dst=%s,ttl=64)/%s/payload(text=%s)"
            % (smac, dmac, sip, dip, l4part, tag))


def payload_of(p):
    """The bytes after the last decoded header (the UDP payload here)."""
    return bytes.fromhex(p.get("payload.hex") or "")


def with_text(tag):
    return lambda p: tag.encode() in (p.data or b"")


def none_received(sb, vif, match, settle=1.0):
    # Absence can only be checked after giving the packet time to arrive;
    # the positive control in each test proves the path works.
    time.sleep(settle)
    return not [p for p in sb.received(vif) if match(p)]


# -- 1. ACL reject ------------------------------------------------------------
def test_acl_reject_tcp_rst_and_icmp_unreachable(sb):
    a1, a2 = port("a1"), port("a2")
    sb.inject(a1[0], l4(a1, a2, "tcp", 40000, 7777, "rej-tcp"))
    rst = sb.wait_received(a1[0], match=lambda p: p.get("tcp.src") == 7777
                           and p.get("tcp.dst") == 40000)[0]
    assert "R" in str(rst["tcp.flags"]), rst.summary()
    assert rst["ip4.src"] == a2[2] and rst["ip4.dst"] == a1[2]
    assert rst["eth.src"] == a2[1] and rst["eth.dst"] == a1[1]

    sb.inject(a1[0], l4(a1, a2, "udp", 40001, 7777, "rej-udp"))
    unreach = sb.wait_received(a1[0], match=lambda p: p.get("icmp4.type") == 3)[0]
    assert unreach["ip4.src"] == a2[2] and unreach["ip4.dst"] == a1[2]
    # Port unreachable for UDP, quoting the rejected datagram's header.
    assert unreach["icmp4.code"] == 3, unreach.summary()
    quoted = payload_of(unreach)
    assert quoted[12:20] == bytes([10, 0, 0, 1, 10, 0, 0, 2]), quoted.hex()
    assert struct.unpack("!HH", quoted[20:24]) == (40001, 7777), quoted.hex()
    # Neither rejected packet reached the destination.
    assert none_received(sb, a2[0], lambda p: b"rej-" in (p.data or b""))


# -- 2. stateful return traffic ----------------------------------------------
def test_stateful_reply_passes_unsolicited_dropped(sb):
    a1, a2 = port("a1"), port("a2")
    sb.inject(a1[0], l4(a1, a2, "udp", 5000, 6000, "st-out"))
    sb.wait_received(a2[0], match=with_text("st-out"))
    # The reply of the connection a1 started passes the to-lport drop.
    sb.inject(a2[0], l4(a2, a1, "udp", 6000, 5000, "st-reply"))
    sb.wait_received(a1[0], match=with_text("st-reply"))
    # A new connection from outside is dropped.
    sb.inject(a2[0], l4(a2, a1, "udp", 6001, 5001, "st-unsol"))
    assert none_received(sb, a1[0], with_text("st-unsol"))


# -- 3. load balancer on a switch ---------------------------------------------
def test_switch_lb_syn_reaches_backend_rewritten(sb):
    b1, b2, b3 = port("b1"), port("b2"), port("b3")
    backends = {b2[2]: b2, b3[2]: b3}
    # The client addresses the VIP at the first backend's MAC (a switch LB
    # does not rewrite MACs, so the frame goes where eth.dst says).
    vip = (None, b2[1], VIP)
    sb.inject(b1[0], l4(b1, vip, "tcp", 41000, VIP_PORT, "lb-syn"))
    got = sb.wait_received(b2[0], match=with_text("lb-syn"))[0]
    assert got["ip4.dst"] in backends, got.summary()
    assert got["tcp.dst"] == BACKEND_PORT and got["ip4.src"] == b1[2]
    assert got["tcp.src"] == 41000
    # Nothing anywhere still carries the VIP as its destination.
    for v in (b2[0], b3[0]):
        assert not [p for p in sb.received(v) if p.get("ip4.dst") == VIP]


# -- 4. DHCP ------------------------------------------------------------------
MAGIC = b"\x63\x82\x53\x63"


def dhcp_request(mac, xid, mtype, extra=b""):
    chaddr = bytes.fromhex(mac.replace(":", "")).ljust(16, b"\0")
    body = struct.pack("!BBBBIHH4s4s4s4s", 1, 1, 6, 0, xid, 0, 0x8000,
                       b"\0" * 4, b"\0" * 4, b"\0" * 4, b"\0" * 4)
    body += chaddr + b"\0" * 64 + b"\0" * 128 + MAGIC
    body += bytes([53, 1, mtype]) + extra + bytes([55, 4, 1, 3, 6, 51]) + b"\xff"
    return body.ljust(300, b"\0")


def send_dhcp(sb, name, body):
    vif, mac, _ = port(name)
    sb.inject(vif, "eth(src=%s,dst=ff:ff:ff:ff:ff:ff)/ip4(src=0.0.0.0,dst=255.255.255.255)/"
                   "udp(src=68,dst=67)/payload(hex=%s)" % (mac, body.hex()))


def dhcp_reply(sb, vif, xid, mtype):
    def match(p):
        body = payload_of(p)
        if p.get("udp.src") != 67 or len(body) < 240 or body[0] != 2:
            return False
        if struct.unpack("!I", body[4:8])[0] != xid or body[236:240] != MAGIC:
            return False
        return parse_v4_options(body[240:]).get(53) == bytes([mtype])
    p = sb.wait_received(vif, match=match)[0]
    return p, payload_of(p), parse_v4_options(payload_of(p)[240:])


def ip(b):
    return str(ipaddress.IPv4Address(b))


def test_dhcp_offer_and_ack(sb):
    vif, mac, addr = port("d1")
    send_dhcp(sb, "d1", dhcp_request(mac, 0x1234, 1))
    p, body, opts = dhcp_reply(sb, vif, 0x1234, 2)
    assert p["eth.src"] == SERVER_MAC and p["eth.dst"] == mac
    # The request set the BOOTP broadcast flag, so the reply is broadcast
    # (RFC 2131 4.1; ovn-northd(8): ip4.dst is put_dhcp_opts' business).
    assert p["ip4.src"] == SERVER_IP and p["ip4.dst"] == "255.255.255.255"
    assert p["udp.dst"] == 68
    assert ip(body[16:20]) == addr                      # yiaddr
    assert body[28:34] == bytes.fromhex(mac.replace(":", ""))
    assert ip(opts[1]) == "255.255.255.0"               # from cidr
    assert ip(opts[3]) == "10.0.0.254"                  # router
    assert ip(opts[6]) == "8.8.8.8"                     # dns_server
    assert ip(opts[54]) == SERVER_IP                    # server_id
    assert struct.unpack("!I", opts[51])[0] == 3600     # lease_time

    req = bytes([50, 4]) + ipaddress.IPv4Address(addr).packed
    req += bytes([54, 4]) + ipaddress.IPv4Address(SERVER_IP).packed
    send_dhcp(sb, "d1", dhcp_request(mac, 0x5678, 3, req))
    p, body, opts = dhcp_reply(sb, vif, 0x5678, 5)
    assert ip(body[16:20]) == addr
    assert ip(opts[54]) == SERVER_IP and struct.unpack("!I", opts[51])[0] == 3600
    assert ip(opts[1]) == "255.255.255.0" and ip(opts[3]) == "10.0.0.254"


# -- 5. DNS -------------------------------------------------------------------
def dns_query(qid, name):
    q = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    return q + b"\0" + struct.pack("!HH", 1, 1)


def skip_name(msg, i):
    while True:
        n = msg[i]
        if n == 0:
            return i + 1
        if n & 0xC0 == 0xC0:
            return i + 2
        i += 1 + n


def dns_a_answers(msg):
    qd, an = struct.unpack("!HH", msg[4:8])
    i = 12
    for _ in range(qd):
        i = skip_name(msg, i) + 4
    out = []
    for _ in range(an):
        i = skip_name(msg, i)
        rtype, rclass, _ttl, rdlen = struct.unpack("!HHIH", msg[i:i + 10])
        i += 10
        if rtype == 1 and rclass == 1 and rdlen == 4:
            out.append(ip(msg[i:i + 4]))
        i += rdlen
    return out


def test_dns_a_answer(sb):
    vif, mac, addr = port("d1")
    sb.inject(vif, "eth(src=%s,dst=%s)/ip4(src=%s,dst=%s)/udp(src=53001,dst=53)/payload(hex=%s)"
              % (mac, SERVER_MAC, addr, SERVER_IP, dns_query(0x4242, "vm1.ovn.test").hex()))
    p = sb.wait_received(vif, match=lambda p: p.get("udp.src") == 53
                         and p.get("udp.dst") == 53001)[0]
    msg = payload_of(p)
    assert struct.unpack("!H", msg[:2])[0] == 0x4242
    assert msg[2] & 0x80, "not a response"
    assert p["ip4.dst"] == addr and p["eth.dst"] == mac
    assert dns_a_answers(msg) == ["10.0.0.11"]
