"""`pyovn controller [OVS-DATABASE] [daemon options]`: ovn-controller's
command line.  OVS-DATABASE is the local Open_vSwitch database (default
unix:<OVS_RUNDIR>/db.sock); everything else comes from its external_ids.
The integration bridge is reached at <OVS_RUNDIR>/<bridge>.mgmt."""

import ovs.poller

from pyovn.controller.controller import Controller
from pyovn.daemon import Daemon, paths


def _dump_bindings(ctl):
    st = ctl.state
    if st is None:
        return "no bindings yet (not connected to the southbound database)\n"
    lines = []
    for name in sorted(st.ports):
        p = st.ports[name]
        if p.dp.uuid not in st.local_dps:
            continue
        if not (name in st.claims or p.ofport or p.type in ("patch", "localnet")):
            continue
        how = st.claims.get(name, "local")
        lines.append("%s: type=%s datapath=%d key=%d %s%s%s" % (
            name, p.type or "vif", p.dp.tunnel_key, p.key, how,
            " ofport=%d" % p.ofport if p.ofport else "",
            " tag=%d" % p.tag if p.tag is not None else ""))
    return "\n".join(lines) + ("\n" if lines else "")


def main(argv):
    d = Daemon("ovn-controller", "OVN local controller (pyovn): binds logical ports "
               "on this chassis and programs its integration bridge")
    parser = d.arg_parser()
    ovs_rundir = paths.rundir("ovs")
    default_db = "unix:%s/db.sock" % ovs_rundir
    parser.add_argument("database", nargs="?", default=default_db,
                        help="local Open_vSwitch database (default %s)" % default_db)
    parser.add_argument("-p", "--private-key", metavar="FILE")
    parser.add_argument("-c", "--certificate", metavar="FILE")
    parser.add_argument("-C", "--ca-cert", metavar="FILE")
    parser.add_argument("--bootstrap-ca-cert", metavar="FILE")
    args = parser.parse_args(argv)
    if args.private_key and args.certificate and args.ca_cert:
        from pyovn.db import idl
        idl.set_ssl(args.private_key, args.certificate, args.ca_cert)
    d.start(args)
    try:
        ctl = Controller(args.database, ovs_rundir, d.vlog)
    except ValueError as e:
        d.vlog.err("%s" % e)
        d.close()
        return 1

    def reply(text):
        return lambda conn, argv: conn.reply(text() if callable(text) else text)

    def recompute(conn, argv):
        ctl.force = True
        conn.reply(None)

    def zones(conn, argv):
        z = ctl.zones or {}
        conn.reply("".join("%s %d\n" % (n, z[n]) for n in sorted(z)))

    def conn_status(conn, argv):
        conn.reply("connected" if ctl.sb_ready() else "not connected")

    def pause(conn, argv):
        ctl.paused = True
        conn.reply(None)

    def resume(conn, argv):
        ctl.paused = False
        ctl.force = True
        conn.reply(None)

    def status(conn, argv):
        conn.reply("paused" if ctl.paused else "running")

    def ofctrl_status(conn, argv):
        conn.reply((ctl.ofc.status() if ctl.ofc else "no integration bridge yet") + "\n")

    def inject_pkt(conn, argv):
        from pyovn.controller import inject
        try:
            msg, _ = inject.build(" ".join(argv), ctl.state, ctl.zones or {})
        except (inject.InjectError, ValueError) as e:
            conn.reply_error("%s" % e)
            return
        if ctl.ofc is None or not ctl.ofc.is_connected():
            conn.reply_error("not connected to the integration bridge")
            return
        ctl.ofc.channel.send(msg)
        conn.reply(None)

    d.register_command("inject-pkt", "MICROFLOW", 1, 1, inject_pkt)
    d.register_command("recompute", "", 0, 0, recompute)
    d.register_command("ct-zone-list", "", 0, 0, zones)
    d.register_command("connection-status", "", 0, 0, conn_status)
    d.register_command("debug/dump-local-bindings", "", 0, 0,
                       lambda conn, argv: conn.reply(_dump_bindings(ctl)))
    d.register_command("debug/pause", "", 0, 0, pause)
    d.register_command("debug/resume", "", 0, 0, resume)
    d.register_command("debug/status", "", 0, 0, status)
    d.register_command("debug/ofctrl-status", "", 0, 0, ofctrl_status)
    d.ready()
    while not d.exiting:
        ctl.run()
        poller = ovs.poller.Poller()
        for w in ctl.waiters():
            w.wait(poller)
        d.wait(poller)
        poller.block()
        d._drain_wake()
        d.run()
    if not d.restart:
        ctl.cleanup()
    ctl.close()
    d.close()
    return 0


if __name__ == "__main__":
    import sys
    sys.exit(main(sys.argv[1:]))
