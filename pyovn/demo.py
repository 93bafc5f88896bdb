"""`pyovn demo` (make demo): a 3-chassis OVN on one machine.

Starts a sandbox (real ovsdb-servers and ovs-vswitchds joined by a Geneve
underlay), builds two logical switches joined by a logical router with VIFs
spread over the chassis, prints `nbctl show` and `sbctl show`, sends
packets between VIFs, prints what arrived where, and tears everything down.

Each daemon is pyovn's where pyovn has it; a part pyovn does not have yet
runs as its C peer from Debian's packages, and the demo says so.
"""

import argparse
import contextlib
import io
import shutil
import sys
import tempfile

from pyovn import cli, packet

SWITCHES = {
    # switch: (router port MAC, router IP/prefix, [(port, chassis, MAC, IP)])
    "sw0": ("00:00:00:00:ff:01", "10.0.0.1/24",
            [("vm1", "hv1", "50:54:00:00:00:01", "10.0.0.11"),
             ("vm2", "hv2", "50:54:00:00:00:02", "10.0.0.12")]),
    "sw1": ("00:00:00:00:ff:02", "10.0.1.1/24",
            [("vm3", "hv3", "50:54:00:00:00:03", "10.0.1.13"),
             ("vm4", "hv1", "50:54:00:00:00:04", "10.0.1.14")]),
}
ROUTER = "lr0"


def say(text=""):
    print(text, flush=True)


def nbctl(sandbox, *args):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        rc = cli.run("nbctl", ["--db", sandbox.nb_remote] + list(args))
    if rc:
        raise RuntimeError("nbctl %s failed" % " ".join(args))
    return out.getvalue()


def sbctl(sandbox, *args):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        cli.run("sbctl", ["--db", sandbox.sb_remote] + list(args))
    return out.getvalue()


def choose(part, wanted):
    """Returns "py" when pyovn has PART and nothing else was asked for."""
    if wanted != "auto":
        return wanted
    return "py" if cli.load(part) is not None else "c"


def build_topology(sb):
    nbctl(sb, "lr-add", ROUTER)
    for sw, (rmac, rnet, ports) in SWITCHES.items():
        nbctl(sb, "ls-add", sw)
        lrp = "%s-%s" % (ROUTER, sw)
        nbctl(sb, "lrp-add", ROUTER, lrp, rmac, rnet)
        nbctl(sb, "lsp-add", sw, "%s-%s" % (sw, ROUTER), "--",
              "lsp-set-type", "%s-%s" % (sw, ROUTER), "router", "--",
              "lsp-set-addresses", "%s-%s" % (sw, ROUTER), "router", "--",
              "lsp-set-options", "%s-%s" % (sw, ROUTER), "router-port=" + lrp)
        for port, chassis, mac, ip in ports:
            nbctl(sb, "lsp-add", sw, port, "--",
                  "lsp-set-addresses", port, "%s %s" % (mac, ip), "--",
                  "lsp-set-port-security", port, "%s %s" % (mac, ip))
            sb.add_vif(chassis, port, port, mac=mac)


def vm(name):
    for sw, (rmac, rnet, ports) in SWITCHES.items():
        for port, chassis, mac, ip in ports:
            if port == name:
                return {"switch": sw, "chassis": chassis, "mac": mac, "ip": ip,
                        "router_mac": rmac, "router_ip": rnet.split("/")[0]}
    raise KeyError(name)


def experiments():
    """(title, from VM, to VM, packet, check) for each packet sent."""
    a, b, c = vm("vm1"), vm("vm2"), vm("vm3")
    return [
        ("L2 unicast vm1 (hv1) -> vm2 (hv2), Geneve between chassis", "vm1", "vm2",
         "eth(src=%s,dst=%s)/ip4(src=%s,dst=%s,ttl=64)/udp(src=1000,dst=2000)"
         % (a["mac"], b["mac"], a["ip"], b["ip"]),
         lambda p: p.get("ip4.src") == a["ip"] and p.get("udp.dst") == 2000),
        ("ARP for the router's IP, answered by OVN's ARP responder", "vm1", "vm1",
         "eth(src=%s,dst=ff:ff:ff:ff:ff:ff)/arp(op=1,sha=%s,spa=%s,tha=00:00:00:00:00:00,tpa=%s)"
         % (a["mac"], a["mac"], a["ip"], a["router_ip"]),
         lambda p: p.get("arp.op") == 2 and p.get("arp.spa") == a["router_ip"]),
        ("routed vm1 (hv1, sw0) -> vm3 (hv3, sw1) through lr0", "vm1", "vm3",
         "eth(src=%s,dst=%s)/ip4(src=%s,dst=%s,ttl=64)/icmp4(type=8,id=7,seq=1)"
         % (a["mac"], a["router_mac"], a["ip"], c["ip"]),
         lambda p: p.get("ip4.src") == a["ip"] and p.get("ip4.ttl") == 63),
    ]


def main(argv):
    parser = argparse.ArgumentParser(prog="pyovn demo", description=__doc__.splitlines()[0])
    parser.add_argument("--northd", choices=["auto", "py", "c"], default="auto")
    parser.add_argument("--controller", choices=["auto", "py", "c"], default="auto")
    parser.add_argument("--encap", default="geneve", choices=["geneve", "vxlan", "stt"])
    parser.add_argument("--keep", action="store_true", help="leave the sandbox running")
    args = parser.parse_args(argv)

    from pyovn.sandbox.sandbox import Sandbox
    northd = choose("northd", args.northd)
    controller = choose("controller", args.controller)
    say("== pyovn demo: 3 chassis, %s tunnels" % args.encap)
    for part, impl in (("northd", northd), ("controller", controller)):
        if impl == "c":
            say("   %-10s: C ovn-%s from Debian (pyovn's %s is not built yet)"
                % (part, part, part) if cli.load(part) is None else
                "   %-10s: C ovn-%s (asked for)" % (part, part))
        else:
            say("   %-10s: pyovn %s" % (part, part))
    say("   databases : ovsdb-server with pyovn's schemas; nbctl/sbctl: pyovn's")

    root = tempfile.mkdtemp(prefix="pyovn-demo-")
    sb = Sandbox(root)
    results = []
    try:
        sb.up(chassis=3, encap=args.encap, northd=northd, controller=controller)
        say("== sandbox up in %s: %s" % (root, ", ".join(sb.chassis_names())))
        build_topology(sb)
        for sw, (_, _, ports) in SWITCHES.items():
            for port, chassis, _, _ in ports:
                sb.wait_port_up(port, timeout=60)
        sb.wait_hv(timeout=60)
        say("\n== pyovn nbctl show\n" + nbctl(sb, "show"))
        say("== pyovn sbctl show\n" + sbctl(sb, "show"))
        for title, src, dst, desc, check in experiments():
            say("== %s" % title)
            say("   sent at %s: %s" % (src, desc))
            before = len(sb.received(dst))
            sb.inject(src, desc)
            try:
                got = sb.wait_received(dst, count=before + 1, timeout=5)[before:]
            except TimeoutError:
                got = sb.received(dst)[before:]
            ok = any(check(p) for p in got)
            for p in got:
                say("   arrived at %s: %s" % (dst, p.summary()))
            if not got:
                say("   nothing arrived at %s" % dst)
            say("   -> %s" % ("delivered as expected" if ok else "NOT as expected"))
            results.append(ok)
        say("\n== %d of %d packets went where OVN says they go"
            % (sum(results), len(results)))
    finally:
        if args.keep:
            say("sandbox left running: pyovn sandbox status --dir %s" % root)
        else:
            sb.down()
            shutil.rmtree(root, ignore_errors=True)
            say("== sandbox down")
    return 0 if results and all(results) else 1
