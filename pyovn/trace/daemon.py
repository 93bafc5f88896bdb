"""`pyovn trace --detach`: the tracer as a daemon (ovn-trace(8) "Daemon
Mode").  It keeps one replica of the southbound database and answers

    ovs-appctl -t ovn-trace trace [OPTIONS] [DATAPATH] MICROFLOW
    ovs-appctl -t ovn-trace exit

over its control socket (<OVN_RUNDIR>/ovn-trace.<pid>.ctl); the trace
options are the command line's (--detailed, --summary, --minimal, --all,
--ct, --lb-dst, --select-id, --friendly-names, --no-friendly-names).
A bad request gets an error reply; the daemon keeps serving.
"""

import io

import ovs.poller

from pyovn.daemon import Daemon
from pyovn.db.idl import Database


def main_daemon(argv, default_db):
    d = Daemon("ovn-trace", "trace packets through the OVN logical network "
               "(daemon mode)")
    parser = d.arg_parser()
    parser.add_argument("--db", default=default_db,
                        help="southbound database (default %(default)s)")
    # Daemon mode takes no microflow; trace options come with each request.
    args, _ = parser.parse_known_args([a for a in argv if a != "--detach"] +
                                      (["--detach"] if "--detach" in argv else []))
    d.start(args)
    from pyovn.trace.sbdata import TABLES, SbView
    try:
        db = Database(args.db, "sb", tables={t: None for t in TABLES})
    except ValueError as e:
        d.vlog.err("%s" % e)
        return 1
    state = {"seqno": None, "view": None}

    def current_view():
        if state["view"] is None or state["seqno"] != db.change_seqno:
            state["view"] = SbView.from_db(db)
            state["seqno"] = db.change_seqno
        return state["view"]

    def trace_cmd(conn, argv):
        from pyovn.trace.main import UsageError, parse_args, run_trace
        try:
            opts = parse_args(list(argv))
        except SystemExit:
            conn.reply_error("trace: bad options (try --detailed, --summary, "
                             "--minimal, --all, --ct=FLAGS, --lb-dst, --select-id)")
            return
        if not db.idl.has_ever_connected():
            conn.reply_error("not connected to the southbound database %s" % args.db)
            return
        buf = io.StringIO()
        try:
            run_trace(current_view(), opts, opts.args, buf)
        except UsageError as e:
            conn.reply_error(str(e))
            return
        except Exception as e:          # keep serving; say what failed
            d.vlog.err("trace failed: %s" % e)
            conn.reply_error("trace failed: %s" % e)
            return
        conn.reply(buf.getvalue())

    d.register_command("trace", "[OPTIONS] [DATAPATH] MICROFLOW", 1, 32, trace_cmd)
    d.ready()
    while not d.exiting:
        db.run()
        d.run()
        poller = ovs.poller.Poller()
        db.wait(poller)
        d.wait(poller)
        poller.block()
        d._drain_wake()
    db.close()
    d.close()
    return 0
