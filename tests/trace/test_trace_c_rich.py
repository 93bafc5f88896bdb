"""Differential tests against C ovn-trace 23.03 on a richer topology: a
distributed router with a gateway port (SNAT, dnat_and_snat, a load
balancer), a gateway router, port-group ACLs, IPv6, DHCP, a localnet port;
the verdicts also over the SB pyovn northd writes for it.

Where pyovn deliberately differs (it clears conntrack state when a packet
crosses a patch port, as the OpenFlow pipeline does with ct_clear, where
ovn-trace keeps it; its minimal form also lists NAT rewrites), the
comparison is of verdicts: the same output ports, and every rewrite C
lists is listed by pyovn too."""

import io
import re
import shutil
import subprocess

import pytest

from pyovn.trace import main as trace_main
from test_trace_c_northd import CHASSIS_REMARK, _minimal_verdicts

pytestmark = [pytest.mark.peer,
              pytest.mark.skipif(shutil.which("ovn-trace") is None,
                                 reason="ovn-trace (test-only peer) is not installed")]

VM1 = 'inport == "vm1" && eth.src == 50:54:00:00:00:01 && ip.ttl == 64'
PUB = ('inport == "ln-public" && eth.src == 00:00:00:00:aa:01 && '
       'ip4.src == 172.168.0.50 && ip.ttl == 64 && eth.dst == 00:00:20:20:12:13')
VM3 = 'inport == "vm3" && eth.src == 50:54:00:00:00:03 && ip4.src == 20.0.0.3 && ip.ttl == 64'

SAME_TEXT = {
    "gateway_router_drop": VM3 + ' && eth.dst == 00:00:00:00:ee:01 && '
                           'ip4.dst == 30.0.0.5 && udp.dst == 53',
    "arp_to_router": 'inport == "vm1" && eth.src == 50:54:00:00:00:01 && '
                     'eth.dst == ff:ff:ff:ff:ff:ff && arp.op == 1 && '
                     'arp.sha == 50:54:00:00:00:01 && arp.spa == 10.0.0.3 && '
                     'arp.tpa == 10.0.0.1',
    "snat_to_unresolved": VM1 + ' && ip4.src == 10.0.0.3 && eth.dst == 00:00:00:00:ff:01 '
                          '&& ip4.dst == 172.168.0.50 && tcp.dst == 80',
}
SAME_VERDICT = {
    # Two flows of equal priority overlap in ls_out_pre_acl/pre_lb for this
    # one: which of them runs is unspecified (OpenFlow and ovn-trace alike).
    "dhcp_broadcast": (VM1 + ' && eth.dst == ff:ff:ff:ff:ff:ff && ip4.src == 0.0.0.0 && '
                       'ip4.dst == 255.255.255.255 && udp.src == 68 && udp.dst == 67', []),
    "dnat_and_snat_inbound": (PUB + ' && ip4.dst == 172.168.0.110 && tcp.dst == 22', []),
    "dnat_and_snat_inbound_blocked": (PUB + ' && ip4.dst == 172.168.0.110 && '
                                      'tcp.dst == 80', []),
    "ping_router": (VM1 + ' && ip4.src == 10.0.0.3 && eth.dst == 00:00:00:00:ff:01 && '
                    'ip4.dst == 10.0.0.1 && icmp4.type == 8', []),
    "ping6_router": (VM1 + ' && ip6.src == fd00::3 && eth.dst == 00:00:00:00:ff:01 && '
                     'ip6.dst == fd00::1 && icmp6.type == 128', []),
    "acl_allow_related_new": (VM1 + ' && ip4.src == 10.0.0.3 && eth.dst == '
                              '50:54:00:00:00:02 && ip4.dst == 10.0.0.4 && tcp.dst == 22',
                              ["--ct=new", "--ct=new"]),
    "acl_drop_new": (VM1 + ' && ip4.src == 10.0.0.3 && eth.dst == 50:54:00:00:00:02 && '
                     'ip4.dst == 10.0.0.4 && tcp.dst == 23', ["--ct=new", "--ct=new"]),
    "routed_sw1_to_sw0": (VM3 + ' && eth.dst == 00:00:00:00:ff:02 && ip4.dst == 10.0.0.4 '
                          '&& udp.dst == 53', ["--ct=new"]),
    "lb_vip_new": (VM1 + ' && ip4.src == 10.0.0.3 && eth.dst == 00:00:00:00:ff:01 && '
                   'ip4.dst == 10.0.0.100 && tcp.dst == 80',
                   ["--ct=new", "--ct=new", "--ct=new", "--lb-dst=10.0.0.4:8080"]),
}


def ours(view, argv):
    buf = io.StringIO()
    opts = trace_main.parse_args(argv)
    trace_main.run_trace(view, opts, opts.args, buf)
    return buf.getvalue()


def theirs(sb, argv):
    return subprocess.run(["ovn-trace", "--db=" + sb.remote] + argv, capture_output=True,
                          text=True, check=True).stdout


@pytest.mark.parametrize("form", ["--detailed", "--summary", "--minimal"])
@pytest.mark.parametrize("name", sorted(SAME_TEXT))
def test_same_text(c_rich, name, form):
    _, sb, view = c_rich
    argv = [form, SAME_TEXT[name]]
    mine = [l for l in ours(view, argv).splitlines() if not CHASSIS_REMARK.match(l)]
    assert mine == theirs(sb, argv).splitlines()


@pytest.mark.parametrize("northd", ["c_rich", "py_rich"])
@pytest.mark.parametrize("name", sorted(SAME_VERDICT) + sorted(SAME_TEXT))
def test_same_verdicts(request, northd, name):
    """Over the SB of C ovn-northd and of pyovn northd."""
    _, sb, view = request.getfixturevalue(northd)
    flow, extra = SAME_VERDICT[name] if name in SAME_VERDICT else (SAME_TEXT[name], [])
    argv = ["--minimal"] + extra + [flow]
    m_out, m_changes = _minimal_verdicts(ours(view, argv))
    c_out, c_changes = _minimal_verdicts(theirs(sb, argv))
    assert m_out == c_out
    assert c_changes <= m_changes


def test_rich_expectations(c_rich):
    """A few verdicts by hand, so the comparison above cannot pass on two
    tools that agree on nonsense."""
    _, sb, view = c_rich
    out = ours(view, ["--minimal"] + SAME_VERDICT["dnat_and_snat_inbound"][1] +
               [SAME_VERDICT["dnat_and_snat_inbound"][0]])
    assert 'output("vm1");' in out and "ip4.dst = 10.0.0.3;" in out
    # Port 80 is not allowed by pg1's ACLs: dropped before vm1.
    out = ours(view, ["--minimal", SAME_VERDICT["dnat_and_snat_inbound_blocked"][0]])
    assert "output(" not in out and "ip4.dst = 10.0.0.3;" in out
    out = ours(view, ["--minimal", "--ct=new", "--ct=new",
                      SAME_VERDICT["acl_drop_new"][0]])
    assert "output(" not in out
    out = ours(view, ["--minimal"] + SAME_VERDICT["lb_vip_new"][1] +
               [SAME_VERDICT["lb_vip_new"][0]])
    # Balanced to the chosen backend, then dropped by pg1's ACL on vm2
    # (only port 22 is allowed in).
    assert "ip4.dst = 10.0.0.4;" in out and "tcp.dst = 8080;" in out
    assert not re.search(r'output\(', out)
    out = ours(view, ["--minimal", SAME_TEXT["snat_to_unresolved"]])
    assert 'output("ln-public");' in out    # the ARP request for 172.168.0.50


def test_mac_binding_and_fdb_from_the_sb(c_rich):
    """get_arp answered from MAC_Binding, get_fdb from FDB (rows added here,
    for an address no other test uses)."""
    _, sb, view = c_rich
    from pyovn.trace.sbdata import SbView

    def sbctl(*a):
        return subprocess.run(["ovn-sbctl", "--db=" + sb.remote] + list(a),
                              capture_output=True, text=True, check=True).stdout.strip()
    lr0 = view.datapath("lr0").uuid
    sbctl("create", "MAC_Binding", "logical_port=lr0-public", "ip=172.168.0.60",
          'mac="00:00:00:00:aa:60"', "datapath=" + lr0)
    sbctl("create", "FDB", 'mac="00:00:00:00:aa:60"',
          "dp_key=%d" % view.datapath("public").key,
          "port_key=%d" % view.port("ln-public").key)
    fresh = SbView.connect(sb.remote)
    flow = (VM1 + ' && ip4.src == 10.0.0.3 && eth.dst == 00:00:00:00:ff:01 && '
            'ip4.dst == 172.168.0.60 && tcp.dst == 80')
    for form in ("--detailed", "--summary"):
        mine = [l for l in ours(fresh, [form, flow]).splitlines()
                if not CHASSIS_REMARK.match(l)]
        assert mine == theirs(sb, [form, flow]).splitlines()
    text = ours(fresh, ["--detailed", flow])
    assert "/* MAC binding to 00:00:00:00:aa:60. */" in text
    assert "outport = get_fdb(eth.dst);" in text and "_MC_unknown" not in text
    out = ours(fresh, ["--minimal", flow])
    assert "eth.dst = 00:00:00:00:aa:60;" in out and 'output("ln-public");' in out


GRID_SRC = [("vm1", "50:54:00:00:00:01", "10.0.0.3"), ("vm3", "50:54:00:00:00:03", "20.0.0.3"),
            ("ln-public", "00:00:00:00:aa:01", "172.168.0.50")]
GRID_DMAC = {"vm1": "00:00:00:00:ff:01", "vm3": "00:00:00:00:ff:02",
             "ln-public": "00:00:20:20:12:13"}
GRID_DST = ["10.0.0.4", "20.0.0.3", "172.168.0.110", "10.0.0.100", "30.0.0.1", "8.8.8.8"]


@pytest.mark.parametrize("ct", [[], ["--ct=new"] * 4], ids=["est", "new"])
@pytest.mark.parametrize("src", GRID_SRC, ids=[s[0] for s in GRID_SRC])
def test_grid_same_outputs(c_rich, src, ct):
    """Every source to every kind of destination (switch, other subnet, NAT,
    VIP, gateway router network, outside), established and new: the same
    output ports as C ovn-trace."""
    _, sb, view = c_rich
    port, mac, ip = src
    for dst in GRID_DST:
        for l4 in ("tcp.dst == 22", "udp.dst == 53"):
            flow = ('inport == "%s" && eth.src == %s && eth.dst == %s && ip4.src == %s '
                    '&& ip4.dst == %s && ip.ttl == 64 && %s'
                    % (port, mac, GRID_DMAC[port], ip, dst, l4))
            argv = ["--minimal"] + ct + [flow]
            assert (_minimal_verdicts(ours(view, argv))[0]
                    == _minimal_verdicts(theirs(sb, argv))[0]), flow
