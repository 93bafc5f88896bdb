"""Refusals compared with C ovn-nbctl: over a list of edge cases, every
invocation C ovn-nbctl refuses is refused by pyovn nbctl too, and pyovn
refuses more only where that is deliberate (STRICTER)."""

import io
import shlex
import shutil

import pytest

from pyovn.ctl import nbctl
from .peer import run_c

pytestmark = pytest.mark.peer

SETUP = ("ls-add sw0 -- lsp-add sw0 p1 -- lr-add r0 -- lrp-add r0 rp0 "
         "00:00:00:00:ff:01 10.0.0.1/24 -- pg-add pg1 p1 -- lb-add lb0 "
         "1.1.1.1:80 2.2.2.2:80 -- ha-chassis-group-add g1")

CASES = [
    'lsp-add sw0 c1 p1 -1',
    'lsp-add sw0 c2 p1 abc',
    'lsp-add sw0 c3 nosuchparent 5',
    'lsp-set-addresses p1 00:00:00:00:00:01 10.0.0.5/24',
    'lsp-set-addresses p1 "00:00:00:00:00:01 10.0.0.5/24"',
    'lsp-set-addresses p1 router',
    'lsp-set-addresses p1 "dynamic 10.0.0.5 10.0.0.6"',
    'lsp-set-port-security p1 garbage',
    'lsp-set-enabled p1 ENABLED',
    'lsp-set-options p1 =x',
    'lsp-set-dhcpv4-options p1 1234',
    'lrp-add r0 rp1 00:00:00:00:ff:02 10.0.0.2/24 10.0.0.3/24',
    'lrp-add r0 rp2 00:00:00:00:ff:03',
    'lrp-add r0 rp3 00:00:00:00:ff:04 10.1.0.1/0',
    'lrp-add r0 rp4 00:00:00:00:ff:05 fe80::1/64',
    'lrp-add r0 rp5 01:00:00:00:00:01 10.2.0.1/24',
    'lrp-add r0 rp6 00:00:00:00:ff:06 10.3.0.1/24 peer=',
    'lrp-set-gateway-chassis rp0 ch1 -5',
    'lrp-set-gateway-chassis nosuch ch1',
    'lrp-set-redirect-type rp0 foo',
    'lr-route-add r0 10.0.0.0/24 10.0.0.1 nosuchport',
    'lr-route-add r0 10.5.0.0/24 10.5.0.0/24',
    'lr-route-add r0 ::/0 10.0.0.1',
    'lr-route-add r0 default 10.0.0.1',
    '--policy=src-ip lr-route-add r0 10.6.0.0/24 10.0.0.1',
    'lr-route-del r0 10.99.0.0/24',
    'lr-nat-add r0 snat 1.1.1.1 10.0.0.0/33',
    'lr-nat-add r0 dnat 1.1.1.1 10.0.0.5',
    'lr-nat-add r0 dnat 1.1.1.1 10.0.0.6',
    'lr-nat-add r0 snat 1.1.1.9 fd00::/64',
    'lr-nat-add r0 dnat_and_snat 1.1.1.8 10.0.0.8 nosuchport 00:00:00:00:00:08',
    'lr-nat-add r0 dnat_and_snat 1.1.1.7 10.0.0.7 p1',
    '--portrange lr-nat-add r0 snat 1.1.1.6 10.1.0.0/24 0-100',
    'lr-nat-del r0 snat 9.9.9.9',
    'lr-nat-del r0 foo',
    'lr-policy-add r0 100 ip4 reroute 10.0.0.5,fd00::1',
    'lr-policy-add r0 101 ip4 drop 10.0.0.5',
    'lr-policy-add r0 102 ip4 allow pkt_mark=abc',
    'lr-policy-del r0 999',
    'lr-policy-del r0 abc',
    'acl-add sw0 from-lport 100 ip allow-related --junk',
    'acl-add pg1 from-lport 100 "inport == @pg1" drop',
    '--type=switch acl-add pg1 from-lport 100 ip drop',
    'acl-add nosuch from-lport 100 ip drop',
    '--label=abc acl-add sw0 from-lport 101 ip drop',
    '--label=-1 acl-add sw0 from-lport 102 ip drop',
    'acl-del sw0 from-lport 100',
    'acl-del sw0 sideways',
    'lb-add lb1 1.1.1.2 2.2.2.3:80',
    'lb-add lb1 1.1.1.2:80 2.2.2.3',
    'lb-add lb1 1.1.1.2:80 2.2.2.3:80 icmp',
    'lb-add lb1 [fd00::1]:80 [fd00::2]:80,2.2.2.2:80',
    'lb-add lb2 1.1.1.3:0 2.2.2.3:80',
    'lb-del lb0 9.9.9.9:80',
    'lb-del nosuch',
    'ls-lb-add sw0 nosuch',
    'ls-lb-add sw0 lb0',
    'ls-lb-add sw0 lb0',
    'ls-lb-del sw0 lb0',
    'ls-lb-del sw0 lb0',
    'lr-lb-del r0 lb0',
    'pg-add pg1',
    'pg-add pg2 nosuchport',
    'pg-set-ports nosuch p1',
    'pg-del nosuch',
    'dhcp-options-create 10.0.0.0',
    'dhcp-options-create 10.0.0.0/24 novalue',
    'dhcp-options-del 00000000-0000-0000-0000-000000000000',
    'ha-chassis-group-add g1',
    'ha-chassis-group-del nosuch',
    'ha-chassis-group-add-chassis g1 ch1 -1',
    'ha-chassis-group-add-chassis nosuch ch1 1',
    'ha-chassis-group-remove-chassis g1 nosuch',
    'qos-add sw0 from-lport 100 ip',
    'qos-add sw0 from-lport 100 ip dscp=64',
    'qos-add sw0 from-lport 100 ip burst=5',
    'qos-add sw0 from-lport 100 ip rate=0',
    'meter-add __m drop 10 kbps',
    'meter-add m1 pass 10 kbps',
    'meter-add m1 drop 10 mbps',
    'meter-add m1 drop 0 kbps',
    'mirror-add mm foo 1 from-lport 1.1.1.1',
    'mirror-add mm gre x from-lport 1.1.1.1',
    'mirror-add mm gre 1 both 1.1.1.1',
    'copp-add c1 foo m1',
    'fwd-group-add fg sw0 10.0.0.300 00:00:00:00:00:01 p1',
    'fwd-group-add fg sw0 10.0.0.3 00:00:00:00:00:01 nosuch',
    'static-mac-binding-add rp0 10.0.0.300 00:00:00:00:00:01',
    'static-mac-binding-add nosuch 10.0.0.3 00:00:00:00:00:01',
    'set-connection foo',
    'set Logical_Switch sw0 name',
    'get Logical_Switch sw0 nosuch',
    'list nosuchtable',
    'lsp-del nosuch',
    'lrp-del nosuch',
    'ls-del nosuch',
    'lr-del nosuch',
    'lsp-get-up nosuch',
]

# C accepts these; pyovn refuses them on purpose (docs/nbctl.md).
STRICTER = [
    'lsp-set-addresses p1 "dynamic 10.0.0.5 10.0.0.6"',
    'lsp-set-port-security p1 garbage',
    'lsp-set-options p1 =x',
    'lr-policy-add r0 102 ip4 allow pkt_mark=abc',
    'acl-add sw0 from-lport 100 ip allow-related --junk',
    'dhcp-options-create 10.0.0.0/24 novalue',
    'set-connection foo',
]


def _py(remote, args):
    out, err = io.StringIO(), io.StringIO()
    rc = nbctl.PROGRAM.main(["--db=" + remote] + args, stdout=out, stderr=err)
    return rc, err.getvalue()


def test_pyovn_refuses_whatever_c_refuses(ovsdb):
    if shutil.which("ovn-nbctl") is None:
        pytest.skip("ovn-nbctl (C peer) is not installed")
    c_db, py_db = ovsdb("nb", name="c_nb"), ovsdb("nb", name="py_nb")
    assert run_c("ovn-nbctl", c_db.remote, shlex.split(SETUP))[0] == 0
    assert _py(py_db.remote, shlex.split(SETUP))[0] == 0
    problems = []
    for line in CASES:
        args = shlex.split(line)
        c_rc, _, c_err = run_c("ovn-nbctl", c_db.remote, args)
        p_rc, p_err = _py(py_db.remote, args)
        if p_rc not in (0, 1) or (p_rc == 1 and p_err.count("\n") != 1):
            problems.append("%s: bad refusal %r" % (line, p_err))
        elif c_rc != 0 and p_rc == 0:
            problems.append("%s: C refuses (%s), pyovn accepts"
                            % (line, c_err.strip()))
        elif c_rc == 0 and p_rc != 0 and line not in STRICTER:
            problems.append("%s: C accepts, pyovn refuses (%s)"
                            % (line, p_err.strip()))
        elif line in STRICTER and p_rc == 0:
            problems.append("%s: should be refused" % line)
    assert not problems, "\n".join(problems)
