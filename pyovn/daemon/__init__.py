"""The daemon framework every pyovn daemon shares.

It gives a daemon the C daemons' command line (--pidfile, --detach,
--no-chdir, --log-file, -v/--verbose, -vconsole:off, --unixctl), OVS-style
logs (python-ovs vlog), a unixctl control socket that `ovs-appctl -t`,
`ovn-appctl` and `pyovn appctl` reach (exit, version, vlog/set, vlog/list,
vlog/reopen, plus each daemon's own commands), and --detach that returns in
the parent only when the daemon says it is ready.

    d = Daemon("ovn-northd", "compiles the northbound DB into the southbound DB")
    parser = d.arg_parser()
    parser.add_argument("--ovnnb-db", default=paths.default_db("ovnnb_db"))
    args = parser.parse_args(argv)
    d.start(args)
    d.register_command("status", "", 0, 0, lambda conn, argv: conn.reply("active"))
    ... connect to databases ...
    d.ready()
    while not d.exiting:
        ... work ...
        poller = ovs.poller.Poller()
        db.wait(poller)
        d.wait(poller)
        poller.block()
        d.run()
    d.close()
"""

import argparse
import os
import signal
import sys

import ovs.daemon
import ovs.dirs
import ovs.poller
import ovs.unixctl
import ovs.unixctl.server
import ovs.util
import ovs.vlog

import pyovn
from pyovn.daemon import log, paths

log.install()


class Daemon:
    def __init__(self, program, description, family="ovn"):
        self.program = program
        self.description = description
        self.family = family
        self.exiting = False
        self.restart = False          # `exit --restart`: leave state in place
        self.server = None
        self.ctl_path = None
        self.vlog = ovs.vlog.Vlog(program.replace("ovn-", "").replace("-", "_"))
        self._wake_r = self._wake_w = None

    # -- command line -------------------------------------------------------
    def arg_parser(self, **kwargs):
        parser = argparse.ArgumentParser(
            prog=self.program, description=self.description, **kwargs)
        self.rundir = paths.rundir(self.family)
        self.logdir = paths.logdir(self.family)
        # python-ovs computes its defaults from these.
        ovs.dirs.RUNDIR = self.rundir
        ovs.dirs.LOGDIR = self.logdir
        ovs.util.PROGRAM_NAME = self.program
        ovs.daemon.add_args(parser)
        ovs.vlog.add_args(parser)
        parser.add_argument("--unixctl", metavar="SOCKET",
                            help="control socket (default %s/%s.<pid>.ctl)"
                            % (self.rundir, self.program))
        parser.add_argument("-V", "--version", action="version",
                            version="%s (pyovn) %s, OVN %s compatible"
                            % (self.program, pyovn.__version__,
                               pyovn.OVN_COMPAT_VERSION))
        return parser

    # -- start-up -------------------------------------------------------------
    def start(self, args):
        """Daemonizes as asked, starts logging and the control socket."""
        self.args = args
        if args.log_file == "default":
            args.log_file = os.path.join(self.logdir, self.program + ".log")
        for d in (self.rundir, os.path.dirname(args.log_file or "") or None):
            if d:
                os.makedirs(d, exist_ok=True)
        ovs.vlog.handle_args(args)
        ovs.daemon.handle_args(args)
        ovs.daemon.daemonize_start()

        self.ctl_path = args.unixctl or paths.ctl_path(self.program, os.getpid(),
                                                       self.family)
        version = "%s (pyovn) %s" % (self.program, pyovn.__version__)
        error, self.server = ovs.unixctl.server.UnixctlServer.create(
            self.ctl_path, version=version)
        if error:
            ovs.util.ovs_fatal(error, "could not create control socket %s"
                               % self.ctl_path, self.vlog)
        ovs.unixctl.command_register("exit", "[--restart]", 0, 1,
                                     self._unixctl_exit, None)
        ovs.unixctl.command_register("list-commands", "", 0, 0,
                                     _unixctl_list_commands, None)
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)
        signal.signal(signal.SIGHUP, self._on_sighup)
        self.vlog.info("%s (pyovn %s) starting" % (self.program, pyovn.__version__))

    def register_command(self, name, usage, min_args, max_args, callback):
        """CALLBACK(conn, argv) replies with conn.reply(text) or
        conn.reply_error(text)."""
        ovs.unixctl.command_register(
            name, usage, min_args, max_args,
            lambda conn, argv, aux: callback(conn, argv), None)

    def ready(self):
        """Tells a --detach parent that start-up is complete."""
        ovs.daemon.daemonize_complete()
        self.vlog.info("%s ready" % self.program)

    # -- poll loop --------------------------------------------------------------
    def run(self):
        if self.server:
            self.server.run()

    def wait(self, poller):
        if self.server:
            self.server.wait(poller)
        if self.exiting:
            poller.immediate_wake()
        if self._wake_r is not None:
            poller.fd_wait(self._wake_r, ovs.poller.POLLIN)

    def wake(self):
        """Wakes the poll loop from a signal handler."""
        try:
            os.write(self._wake_w, b"x")
        except OSError:
            pass

    def _drain_wake(self):
        try:
            while os.read(self._wake_r, 512):
                pass
        except (BlockingIOError, OSError):
            pass

    def _on_sighup(self, signum, frame):
        ovs.vlog.Vlog.reopen_log_file()
        self.wake()

    def _unixctl_exit(self, conn, argv, aux):
        self.restart = "--restart" in argv
        self.exiting = True
        self.vlog.info("exit requested%s" % (" (restart)" if self.restart else ""))
        conn.reply(None)

    def close(self):
        if self.server:
            # Let the reply to `exit` reach the client.
            self.server.run()
            self.server.close()
            self.server = None
        self.vlog.info("%s exiting" % self.program)


def _unixctl_list_commands(conn, argv, aux):
    lines = ["The available commands are:"]
    for name in sorted(ovs.unixctl.commands):
        lines.append("  %-23s %s" % (name, ovs.unixctl.commands[name].usage))
    conn.reply("\n".join(lines) + "\n")


def run_loop(daemon, step, waiters=()):
    """The standard loop: STEP() does one round of work; WAITERS are objects
    with wait(poller) (IDL databases, channels)."""
    while not daemon.exiting:
        step()
        poller = ovs.poller.Poller()
        for w in waiters:
            w.wait(poller)
        daemon.wait(poller)
        poller.block()
        daemon._drain_wake()
        daemon.run()
