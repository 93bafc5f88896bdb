"""`pyovn vtep [--pidfile --detach --log-file ...] PS-NAME`: the VTEP
emulator daemon, with ovs-vtep's command line."""

import ovs.poller

from pyovn.daemon import Daemon, paths
from pyovn.db.idl import Database
from pyovn.vtep.emulator import Emulator
from pyovn.vtep.vswitch import TABLES as VSWITCH_TABLES


def main(argv):
    d = Daemon("ovs-vtep", "VTEP emulator: drives Open vSwitch from a "
               "hardware_vtep database (pyovn)", family="ovs")
    parser = d.arg_parser()
    default_db = paths.default_db("db", family="ovs")
    parser.add_argument("--vtep-db", default=default_db, metavar="DB",
                        help="hardware_vtep database (default %s)"
                        % default_db)
    parser.add_argument("--ovs-db", default=default_db, metavar="DB",
                        help="Open_vSwitch database (default %s)" % default_db)
    parser.add_argument("--ovs-rundir", default=paths.rundir("ovs"),
                        metavar="DIR",
                        help="where ovs-vswitchd keeps the bridges' .mgmt "
                        "sockets (default %(default)s)")
    parser.add_argument("--mac-age", type=int, default=300, metavar="SECS",
                        help="seconds before an idle learned MAC ages out "
                        "(default %(default)s)")
    parser.add_argument("--tunnel-option", action="append", default=[],
                        metavar="KEY=VALUE",
                        help="an extra option for every VXLAN port this "
                        "emulator creates (e.g. dst_port=4790, tos=inherit, "
                        "egress_pkt_mark=N); may be repeated")
    parser.add_argument("ps_name", metavar="PS-NAME",
                        help="the Physical_Switch (and OVS bridge) to emulate")
    args = parser.parse_args(argv)
    if args.mac_age < 1:
        parser.error("--mac-age must be at least 1")
    tunnel_options = {}
    for opt in args.tunnel_option:
        key, eq, value = opt.partition("=")
        if not eq or not key or key in ("remote_ip", "key"):
            parser.error("--tunnel-option %s: expected KEY=VALUE (remote_ip "
                         "and key are set by the emulator)" % opt)
        tunnel_options[key] = value
    d.start(args)

    vtep = Database(args.vtep_db, "vtep")
    ovsdb = Database(args.ovs_db, "vswitch", tables=VSWITCH_TABLES)
    emu = Emulator(args.ps_name, vtep, ovsdb, args.ovs_rundir,
                   mac_age=args.mac_age, tunnel_options=tunnel_options)
    d.register_command("vtep/show", "", 0, 0,
                       lambda conn, argv: conn.reply(show(emu)))
    d.ready()
    synced = False
    while not d.exiting:
        changed = vtep.run()
        changed |= ovsdb.run()
        emu.run_openflow()
        if not synced:
            synced = bool(vtep.idl.has_ever_connected() and
                          ovsdb.idl.has_ever_connected() and
                          vtep.idl.change_seqno and ovsdb.idl.change_seqno)
        if changed:
            emu.dirty = True
        if synced:
            try:
                emu.run()
            except Exception as e:      # log, keep serving, retry
                d.vlog.err("reconciliation failed: %s" % e)
                emu.retry = True
        poller = ovs.poller.Poller()
        vtep.wait(poller)
        ovsdb.wait(poller)
        emu.wait(poller)
        d.wait(poller)
        poller.block()
        d._drain_wake()
        d.run()
    emu.cleanup()
    d.close()
    return 0


def show(emu):
    lines = ["flows: %s" % ("installed" if emu.flows_installed()
                            else "pending")]
    lines += ["  " + ofc.status() for _, ofc in sorted(emu.ofctrls.items())]
    for name, plan in sorted(emu.plans.items()):
        ofc = emu.ofctrls.get(plan.bridge)
        lines.append("logical switch %s: bridge %s, key %s, %s, OpenFlow "
                     "%s" % (name, plan.bridge, plan.key, plan.mode,
                             "connected" if ofc and ofc.is_connected()
                             else "not connected"))
        for port, vlan in plan.bindings:
            lines.append("  binding %s vlan %d" % (port, vlan))
        for ident, t in sorted(plan.tunnels.items()):
            lines.append("  tunnel %s key %d %s%s" % (
                t.ip, t.key, t.level, " service-node" if t.service_node
                else ""))
        for mac, port in sorted(emu.learned.get(name, {}).items()):
            lines.append("  learned %s on port %d" % (mac, port))
    return "\n".join(lines) + "\n"
