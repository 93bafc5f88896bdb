"""`pyovn northd` / `pyovn-northd`: the ovn-northd command line.

    pyovn northd [--ovnnb-db=DB] [--ovnsb-db=DB] [--dry-run] [--pidfile]
                 [--detach] [--log-file] [--unixctl=SOCKET] [-v...]

appctl commands: exit, pause, resume, is-paused, status,
inc-engine/show-stats, inc-engine/recompute, plus the framework's version
and vlog/*.
"""

import os

import ovs.poller

from pyovn.daemon import Daemon, paths
from pyovn.northd import graph
from pyovn.northd.northd import Northd


def default_remote(env, name):
    return os.environ.get(env) or paths.default_db(name)


def main(argv=None):
    d = Daemon("ovn-northd", "Open Virtual Network central control daemon: "
               "compiles the OVN northbound database into the southbound database.")
    parser = d.arg_parser()
    parser.add_argument("--ovnnb-db", metavar="DATABASE",
                        default=default_remote("OVN_NB_DB", "ovnnb_db"),
                        help="OVN northbound database (default: $OVN_NB_DB or "
                        "unix:$OVN_RUNDIR/ovnnb_db.sock)")
    parser.add_argument("--ovnsb-db", metavar="DATABASE",
                        default=default_remote("OVN_SB_DB", "ovnsb_db"),
                        help="OVN southbound database (default: $OVN_SB_DB or "
                        "unix:$OVN_RUNDIR/ovnsb_db.sock)")
    parser.add_argument("--dry-run", action="store_true",
                        help="start paused: monitor the databases, change nothing")
    parser.add_argument("--n-threads", type=int, default=1,
                        help="accepted for compatibility; pyovn northd uses one thread")
    args = parser.parse_args(argv)
    d.start(args)

    nd = Northd(args.ovnnb_db, args.ovnsb_db, paused=args.dry_run)

    def status(conn, argv):
        conn.reply("Status: %s" % nd.status())

    def pause(conn, argv):
        nd.pause()
        conn.reply(None)

    def resume(conn, argv):
        nd.resume()
        conn.reply(None)

    def is_paused(conn, argv):
        conn.reply("true" if nd.paused else "false")

    def show_stats(conn, argv):
        lines = ["%s: %s" % (name, desc) for name, (_, desc) in graph.NODES.items()]
        lines.append("recompute: %d, SB transactions: %d, NB transactions: %d"
                     % (nd.stats["recompute"], nd.stats["sb_txn"], nd.stats["nb_txn"]))
        conn.reply("\n".join(lines))

    def recompute(conn, argv):
        nd.dirty = True
        nd.force = True
        conn.reply(None)

    def get_n_threads(conn, argv):
        conn.reply("1")

    def set_n_threads(conn, argv):
        try:
            n = int(argv[0])
        except ValueError:
            conn.reply_error("invalid n_threads: %s" % argv[0])
            return
        if not 1 <= n <= 256:
            conn.reply_error("invalid n_threads: %d (must be 1..256)" % n)
            return
        if n != 1:
            d.vlog.info("set-n-threads %d: pyovn northd computes in one thread" % n)
        conn.reply(None)

    def cluster_state_reset(db):
        def reset(conn, argv):
            # C resets the Raft index it remembered; python-ovs's IDL keeps
            # none (it accepts a rebuilt cluster as is), so recompute only.
            nd.dirty = True
            nd.force = True
            conn.reply(None)
        return reset

    d.register_command("status", "", 0, 0, status)
    d.register_command("pause", "", 0, 0, pause)
    d.register_command("resume", "", 0, 0, resume)
    d.register_command("is-paused", "", 0, 0, is_paused)
    d.register_command("inc-engine/show-stats", "", 0, 2, show_stats)
    d.register_command("inc-engine/recompute", "", 0, 0, recompute)
    d.register_command("get-n-threads", "", 0, 0, get_n_threads)
    d.register_command("set-n-threads", "N", 1, 1, set_n_threads)
    d.register_command("nb-cluster-state-reset", "", 0, 0, cluster_state_reset(nd.nb))
    d.register_command("sb-cluster-state-reset", "", 0, 0, cluster_state_reset(nd.sb))
    d.ready()
    try:
        while not d.exiting:
            nd.run()
            poller = ovs.poller.Poller()
            nd.wait(poller)
            d.wait(poller)
            poller.block()
            d._drain_wake()
            d.run()
    finally:
        nd.close()
        d.close()
    return 0
