"""`pyovn sandbox`: a multi-chassis OVN deployment on one machine.

    pyovn sandbox up [--dir DIR] [--chassis N] [--encap geneve|vxlan|stt]
                     [--northd c|py|none] [--controller c|py|none] [--debug-logs]
    pyovn sandbox status [--dir DIR]
    pyovn sandbox down [--dir DIR]
    pyovn sandbox shell [--dir DIR] [--chassis N] [-c COMMAND]
    pyovn sandbox add-vif [--dir DIR] CHASSIS VIF LOGICAL_PORT [--mac MAC]
    pyovn sandbox inject [--dir DIR] VIF PACKET
    pyovn sandbox received [--dir DIR] [VIF] [--hex] [--sent] [--wait N [--timeout S]]
    pyovn sandbox received [--dir DIR] --underlay CHASSIS [--tx] [--hex]
    pyovn sandbox sync [--dir DIR] [--timeout S]

DIR defaults to $PYOVN_SANDBOX, else ./sandbox.
"""

import argparse
import json
import os
import subprocess
import sys

from pyovn.packet import PacketError
from pyovn.sandbox import layout
from pyovn.sandbox.procs import SandboxError
from pyovn.sandbox.sandbox import COMPONENT_CHOICES, Sandbox
from pyovn.util.proc import ProcError


def default_dir():
    return os.environ.get("PYOVN_SANDBOX") or os.path.join(os.getcwd(), "sandbox")


def _parser():
    p = argparse.ArgumentParser(
        prog="pyovn sandbox",
        description="A whole OVN deployment in one directory: NB/SB ovsdb-servers, "
                    "northd, N chassis (ovsdb-server + ovs-vswitchd on the dummy "
                    "datapath + controller) and an underlay carrying real tunnels.")
    sub = p.add_subparsers(dest="cmd", metavar="COMMAND")

    def cmd(name, help_):
        s = sub.add_parser(name, help=help_, description=help_)
        s.add_argument("--dir", default=None,
                       help="sandbox directory (default $PYOVN_SANDBOX or ./sandbox)")
        return s

    s = cmd("up", "create and start a sandbox")
    s.add_argument("--chassis", type=int, default=3, help="number of chassis (default 3)")
    s.add_argument("--encap", default="geneve", help="geneve (default), vxlan or stt")
    s.add_argument("--northd", default="c", choices=COMPONENT_CHOICES,
                   help="c: Debian's ovn-northd (test peer), py: pyovn northd, none")
    s.add_argument("--controller", default="c", choices=COMPONENT_CHOICES,
                   help="c: Debian's ovn-controller (test peer), py: pyovn controller, none")
    s.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for readiness")
    s.add_argument("--debug-logs", action="store_true",
                   help="ovs-vswitchd logs OpenFlow traffic (-vvconn -vofproto_dpif)")
    cmd("status", "show the sandbox's processes, chassis and VIFs").add_argument(
        "--json", action="store_true", help="print the status as JSON")
    cmd("down", "stop the sandbox's processes (only its own, found by pidfile)")
    s = cmd("shell", "run a shell (or -c COMMAND) with the sandbox's environment")
    s.add_argument("--chassis", default=None, help="whose OVS_RUNDIR to use (default hv1)")
    s.add_argument("-c", dest="command", default=None, help="run COMMAND instead of a shell")
    s = cmd("add-vif", "add a VIF (dummy interface on br-int) bound to a logical port")
    s.add_argument("chassis", help="chassis name (hv1) or number")
    s.add_argument("vif", help="interface name, unique in the sandbox")
    s.add_argument("logical_port", help="external_ids:iface-id, the logical switch port")
    s.add_argument("--mac", default=None, help="external_ids:attached-mac")
    s = cmd("inject", "send a packet into OVS from a VIF")
    s.add_argument("vif")
    s.add_argument("packet", help="hex, or a description such as "
                                  "'eth(src=..,dst=..)/ip4(src=..,dst=..)/udp(src=1,dst=2)'")
    s = cmd("received", "print the packets a VIF (default: every VIF) received, decoded")
    s.add_argument("vif", nargs="?", default=None)
    s.add_argument("--sent", action="store_true", help="what the VIF sent instead")
    s.add_argument("--underlay", metavar="CHASSIS", default=None,
                   help="what CHASSIS put on the underlay wire instead")
    s.add_argument("--tx", action="store_true",
                   help="with --underlay: what the underlay delivered to CHASSIS")
    s.add_argument("--hex", action="store_true", help="print raw hex as well")
    s.add_argument("--wait", type=int, metavar="N", default=0,
                   help="with a VIF: first wait until it has received N packets")
    s.add_argument("--timeout", type=float, default=10.0, help="seconds for --wait")
    s = cmd("sync", "wait until every chassis has caught up with the NB (--wait=hv)")
    s.add_argument("--timeout", type=float, default=30.0)
    return p


def main(argv):
    parser = _parser()
    args = parser.parse_args(argv)
    if not args.cmd:
        parser.print_help()
        return 2
    sb = None
    try:
        sb = Sandbox(args.dir or default_dir())
        return COMMANDS[args.cmd](sb, args) or 0
    except (SandboxError, PacketError, ProcError, TimeoutError) as e:
        sys.stderr.write("pyovn sandbox %s: %s\n" % (args.cmd, e))
        return 1


def do_up(sb, args):
    if "stt" in args.encap.split(","):
        sys.stderr.write("pyovn sandbox: warning: the userspace (dummy) datapath cannot "
                         "encapsulate STT; STT tunnels will carry no packets\n")
    sb.up(chassis=args.chassis, encap=args.encap, northd=args.northd,
          controller=args.controller, timeout=args.timeout, debug_logs=args.debug_logs)
    print("sandbox up in %s: %d chassis (%s), northd=%s, controller=%s"
          % (sb.root, args.chassis, args.encap, args.northd, args.controller))
    print("OVN_NB_DB=%s" % sb.nb_remote)
    print("OVN_SB_DB=%s" % sb.sb_remote)
    return 0


def do_status(sb, args):
    st = sb._require_state()
    procs = sb.status()
    if args.json:
        print(json.dumps({"dir": sb.root, "encap": st["encap"], "northd": st["northd"],
                          "controller": st["controller"], "processes": procs,
                          "chassis": st["chassis"], "vifs": st["vifs"]}, indent=2))
        return 0
    alive = sum(p["running"] for p in procs)
    print("sandbox %s: %d of %d processes running" % (sb.root, alive, len(procs)))
    print("  encap %s, northd %s, controller %s" % (st["encap"], st["northd"], st["controller"]))
    print("  NB %s\n  SB %s" % (st.get("nb_remote"), st.get("sb_remote")))
    for p in procs:
        print("  %-26s pid %-8s %s" % (p["name"], p["pid"] or "-",
                                       "running" if p["running"] else "stopped"))
    for c in st["chassis"]:
        print("  chassis %s: underlay %s/%d mac %s" % (c["name"], c["ip"],
                                                      layout.UNDERLAY_PREFIX, c["mac"]))
    for name, v in sorted(st["vifs"].items()):
        print("  vif %s on %s, iface-id %s" % (name, v["chassis"], v["iface_id"]))
    return 0 if alive == len(procs) else 3


def do_down(sb, args):
    if sb.state is None:
        print("no sandbox in %s" % sb.root)
        return 0
    stopped = sb.down()
    print("stopped %d process(es) of %s" % (len(stopped), sb.root))
    left = sb.running()
    if left:
        sys.stderr.write("still running: %s\n" % ", ".join("%s (%d)" % x for x in left))
        return 1
    return 0


def do_shell(sb, args):
    env = sb.env(args.chassis)
    if args.command is not None:
        return subprocess.call(args.command, shell=True, env=env)
    shell = os.environ.get("SHELL") or "/bin/sh"
    print("pyovn sandbox shell (%s); 'exit' to leave" % sb.root)
    return subprocess.call([shell], env=env)


def do_add_vif(sb, args):
    sb.add_vif(args.chassis, args.vif, args.logical_port, mac=args.mac)
    print("added %s on %s (iface-id %s)" % (args.vif, sb.vif(args.vif)["chassis"],
                                            args.logical_port))


def do_inject(sb, args):
    data = sb.inject(args.vif, args.packet)
    print("injected %d bytes at %s" % (len(data), args.vif))


def do_received(sb, args):
    if args.underlay:
        pkts = sb.underlay(args.underlay, "tx" if args.tx else "rx")
    elif args.vif:
        if args.wait and not args.sent:
            sb.wait_received(args.vif, count=args.wait, timeout=args.timeout)
        pkts = sb.sent(args.vif) if args.sent else sb.received(args.vif)
    else:
        # Every VIF, each line prefixed by its name.
        for name in sorted(sb._require_state()["vifs"]):
            for p in (sb.sent(name) if args.sent else sb.received(name)):
                print("%s: %s" % (name, p.summary()))
                if args.hex:
                    print("  " + p.data.hex())
        return 0
    for p in pkts:
        print(p.summary())
        if args.hex:
            print("  " + p.data.hex())
    return 0


def do_sync(sb, args):
    sb.wait_hv(args.timeout)
    return 0


COMMANDS = {"sync": do_sync, "up": do_up, "status": do_status, "down": do_down, "shell": do_shell,
            "add-vif": do_add_vif, "inject": do_inject, "received": do_received}
