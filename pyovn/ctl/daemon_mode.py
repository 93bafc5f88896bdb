"""Daemon mode of the ctl tools (ovn-nbctl(8) "DAEMON MODE").

    export OVN_NB_DAEMON=$(pyovn nbctl --pidfile --detach)
    pyovn nbctl ls-add sw0          # runs inside the daemon
    pyovn nbctl -u /path/to.ctl show

`--detach` (with the usual daemon options) starts a process that keeps one
replica of the database and answers the unixctl command `run [OPTIONS]
COMMAND [ARG]... [-- COMMAND...]`, which runs the commands exactly as a
normal invocation would (same Runner, same single transaction, same
errors) and replies with their output.  The daemon prints its control
socket's name on stdout; clients find it in the tool's DAEMON variable
(OVN_NB_DAEMON) or in -u/--unixctl.  `exit` stops it.
"""

import io
import os
import sys

import ovs.unixctl.client

from pyovn.ctl.errors import CtlError

# daemon options: name -> takes a value (None: value optional)
DAEMON_OPTIONS = {"--detach": False, "--no-chdir": False, "--monitor": False,
                  "--overwrite-pidfile": False, "--pidfile": None,
                  "--no-self-confinement": False, "--user": True,
                  "-u": True, "--unixctl": True}


def split(argv):
    """Separates the daemon and logging options given before the first
    command from the rest.  Returns (daemon args for the daemon framework's
    parser, {option name: value}, other args)."""
    dargs, opts, rest = [], {}, []
    i = 0
    in_globals = True
    while i < len(argv):
        a = argv[i]
        if in_globals and (a == "--" or not a.startswith("-")):
            in_globals = False
        name, eq, value = a.partition("=")
        if in_globals and (name.startswith("-v") and not name.startswith("--")
                           or name in ("--verbose", "--log-file")):
            dargs.append(a)
        elif in_globals and name in DAEMON_OPTIONS:
            takes = DAEMON_OPTIONS[name]
            if takes and not eq:
                if i + 1 >= len(argv):
                    raise CtlError("option '%s' requires an argument" % name)
                i += 1
                value = argv[i]
            if name == "-u":
                name = "--unixctl"
            opts[name] = value if (eq or takes) else True
            dargs.append(name if opts[name] is True else
                         "%s=%s" % (name, value))
        else:
            rest.append(a)
        i += 1
    return dargs, opts, rest


def client(program, path, argv, stdout, stderr):
    """Runs ARGV in the daemon at PATH; returns the exit status."""
    error, conn = ovs.unixctl.client.UnixctlClient.create(path)
    if error:
        stderr.write("%s: %s: cannot connect to daemon (%s)\n"
                     % (program.name, path, os.strerror(error)))
        return 1
    try:
        error, err_text, result = conn.transact("run", list(argv))
    finally:
        conn.close()
    if error:
        stderr.write("%s: %s: transaction error (%s)\n"
                     % (program.name, path, os.strerror(error)))
        return 1
    if err_text:
        stderr.write(err_text if err_text.endswith("\n") else err_text + "\n")
        return 1
    stdout.write(result or "")
    return 0


def serve(program, dargs, rest):
    """Becomes the daemon: --detach etc. in DARGS, the database from the
    global options in REST (--db)."""
    from pyovn.ctl.base import Runner
    from pyovn.daemon import Daemon, run_loop
    from pyovn.db.idl import Database

    runner = Runner(program, io.StringIO(), io.StringIO())
    local, commands = runner.parse_global(rest)
    if local or commands:
        raise CtlError("no commands may be given together with --detach")
    d = Daemon(program.daemon_name, program.description)
    parser = d.arg_parser()
    # Quiet on the console unless asked otherwise, as the C tools are.
    args = parser.parse_args(["--verbose=console:warn"] + dargs)
    remote = runner.db_remote or program.default_db()
    runner.probe(remote)
    d.start(args)
    db = Database(remote, program.kind, leader_only=runner.leader_only)
    db.sync(timeout=60)

    def run(conn, argv):
        out, err = io.StringIO(), io.StringIO()
        r = Runner(program, out, err, db=db)
        status = r.main(list(argv))
        if status:
            conn.reply_error(err.getvalue() or "failed\n")
        else:
            conn.reply(out.getvalue())

    d.register_command("run", "[OPTIONS] COMMAND [ARG...] [-- COMMAND...]",
                       0, sys.maxsize, run)
    sys.stdout.write(d.ctl_path + "\n")
    sys.stdout.flush()
    d.ready()
    run_loop(d, db.run, [db])
    d.close()
    db.close()
    return 0
