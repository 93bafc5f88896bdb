"""pyovn northd with the C ovn-controller on 3 sandbox chassis (real
ovs-vswitchd, real tunnels): packets go where ovn-northd(8) says."""

import time

import pytest

from pyovn.util import proc

pytestmark = pytest.mark.peer

PORTS = {  # name: (chassis, vif, mac, ip)
    "p1": ("hv1", "vif1", "50:54:00:00:00:01", "10.0.0.1"),
    "p2": ("hv2", "vif2", "50:54:00:00:00:02", "10.0.0.2"),
    "p3": ("hv3", "vif3", "50:54:00:00:00:03", "10.0.0.3"),
    "p4": ("hv3", "vif4", "50:54:00:00:00:04", None),      # addresses "unknown"
}


def build(sb):
    nb = sb.nb_db()

    def txn_fn(txn):
        ports = []
        for name, (_, _, mac, ip) in PORTS.items():
            lsp = txn.insert(nb.tables["Logical_Switch_Port"])
            lsp.name = name
            lsp.addresses = ["%s %s" % (mac, ip)] if ip else ["unknown"]
            if name == "p1":
                lsp.port_security = ["%s %s" % (mac, ip)]
            ports.append(lsp)
        acl = txn.insert(nb.tables["ACL"])
        acl.direction = "to-lport"
        acl.priority = 1000
        acl.match = 'outport == "p3" && udp.dst == 9999'
        acl.action = "drop"
        acl2 = txn.insert(nb.tables["ACL"])
        acl2.direction = "to-lport"
        acl2.priority = 900
        acl2.match = 'outport == "p3" && ip4'
        acl2.action = "allow-related"
        ls = txn.insert(nb.tables["Logical_Switch"])
        ls.name = "sw0"
        ls.ports = ports
        ls.acls = [acl, acl2]
    nb.transact(txn_fn)
    for name, (ch, vif, mac, _) in PORTS.items():
        sb.add_vif(ch, vif, name, mac=mac)
    for name, (ch, _, _, _) in PORTS.items():
        assert sb.wait_port_up(name) == ch
    sb.wait_hv()


def udp(src, dst, sport, dport, tag, ip=("10.0.0.1", "10.0.0.3")):
    return ("eth(src=%s,dst=%s)/ip4(src=%s,dst=%s,ttl=64)/udp(src=%d,dst=%d)/"
            "payload(text=%s)" % (src, dst, ip[0], ip[1], sport, dport, tag))


def with_text(tag):
    return lambda p: tag.encode() in (p.data or b"")


def none_received(sb, vif, tag, settle=1.0):
    time.sleep(settle)
    return not [p for p in sb.received(vif) if tag.encode() in (p.data or b"")]


def test_l2_across_three_chassis(sandbox_factory):
    sb = sandbox_factory(chassis=3, northd="py", controller="c")
    build(sb)
    # The NB sees the bindings northd fed back.
    nb = sb.nb_db()
    nb.wait_until(lambda db: all(db.find_one("Logical_Switch_Port", name=n).up == [True]
                                 for n in PORTS))
    m1, m2, m3, m4 = (PORTS[p][2] for p in ("p1", "p2", "p3", "p4"))
    # The C client's --wait=hv returns: hv_cfg catches up through northd.
    proc.run(["ovn-nbctl", "--db=" + sb.nb_remote, "--wait=hv", "--timeout=30", "sync"])

    # Unicast hv1 -> hv3 reaches p3 only.
    sb.inject("vif1", udp(m1, m3, 1000, 2000, "uni"))
    sb.wait_received("vif3", match=with_text("uni"))
    assert none_received(sb, "vif2", "uni") and none_received(sb, "vif4", "uni", 0)

    # Broadcast floods to every other port on every chassis.
    sb.inject("vif1", udp(m1, "ff:ff:ff:ff:ff:ff", 1000, 2000, "bcast",
                          ("10.0.0.1", "10.0.0.255")))
    for vif in ("vif2", "vif3", "vif4"):
        sb.wait_received(vif, match=with_text("bcast"))

    # Unknown unicast goes to the port with "unknown" addresses only.
    sb.inject("vif1", udp(m1, "50:54:00:00:00:99", 1000, 2000, "unk"))
    sb.wait_received("vif4", match=with_text("unk"))
    assert none_received(sb, "vif2", "unk") and none_received(sb, "vif3", "unk", 0)

    # Port security: a spoofed source MAC from p1 goes nowhere.
    sb.inject("vif1", udp("50:54:00:00:00:77", m3, 1000, 2000, "spoof"))
    assert none_received(sb, "vif3", "spoof")

    # ACLs: UDP to 9999 on p3 is dropped, other UDP allowed.
    sb.inject("vif1", udp(m1, m3, 1000, 9999, "acl-drop"))
    sb.inject("vif1", udp(m1, m3, 1000, 9998, "acl-ok"))
    sb.wait_received("vif3", match=with_text("acl-ok"))
    assert none_received(sb, "vif3", "acl-drop")

    # ARP responder: p1 asks for p2's address, the reply comes from the
    # pipeline on hv1 itself, with p2's MAC.
    sb.inject("vif1", "eth(src=%s,dst=ff:ff:ff:ff:ff:ff)/arp(op=1,sha=%s,spa=10.0.0.1,"
                      "tpa=10.0.0.2)" % (m1, m1))
    got = sb.wait_received("vif1", match=lambda p: p.get("arp.op") == 2)
    assert got[0].get("arp.sha") == m2 and got[0].get("arp.spa") == "10.0.0.2"
