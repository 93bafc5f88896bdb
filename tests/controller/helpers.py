"""Helpers for the controller tests: running C/pyovn CLI tools inside a
sandbox, packets, and controller control sockets."""

import os

from pyovn.util import proc

MAC = "50:54:00:00:00:%02x"
IP = "10.0.0.%d"


def tool(sb, *cmd, chassis=None, check=True, timeout=60):
    return proc.run([proc.which(cmd[0])] + list(cmd[1:]), env=sb.env(chassis),
                    check=check, timeout=timeout)


def nbctl(sb, *args):
    return tool(sb, "ovn-nbctl", *args)


def sbctl(sb, *args):
    return tool(sb, "ovn-sbctl", *args)


def vsctl(sb, chassis, *args):
    return sb.vsctl(chassis, *args)


def ctl_appctl(sb, chassis, *args, check=True):
    """ovs-appctl to the chassis' controller (C or pyovn)."""
    c = sb.chassis(chassis)
    pid = proc.read_pidfile(os.path.join(c["rundir"], "ovn-controller.pid"))
    target = os.path.join(c["rundir"], "ovn-controller.%d.ctl" % pid)
    return proc.run([proc.which("ovs-appctl"), "-t", target] + list(args), check=check)


def ofctl_flows(sb, chassis, table=None):
    args = ["ovs-ofctl", "-O", "OpenFlow15", "dump-flows", "--no-stats", "br-int"]
    if table is not None:
        args.append("table=%d" % table)
    return [ln.strip() for ln in tool(sb, *args, chassis=chassis).splitlines()
            if "actions=" in ln]


def switch(sb, name, ports, first=1):
    """Logical switch NAME with ports NAME-pN for N in PORTS (MAC/IP from N)."""
    cmd = ["ls-add", name]
    for n in ports:
        cmd += ["--", "lsp-add", name, "p%d" % n, "--", "lsp-set-addresses", "p%d" % n,
                "%s %s" % (MAC % n, IP % n)]
    nbctl(sb, *cmd)


def icmp(src, dst, seq=1, dst_mac=None, src_ip=None, dst_ip=None):
    return ("eth(src=%s,dst=%s)/ip4(src=%s,dst=%s)/icmp4(type=8,id=7,seq=%d)"
            % (MAC % src, dst_mac or MAC % dst, src_ip or IP % src, dst_ip or IP % dst, seq))


def arp_request(src, tpa):
    return ("eth(src=%s,dst=ff:ff:ff:ff:ff:ff)/arp(op=1,sha=%s,spa=%s,tpa=%s)"
            % (MAC % src, MAC % src, IP % src, tpa))


def is_icmp_seq(seq):
    return lambda p: p.get("icmp4.seq") == seq
