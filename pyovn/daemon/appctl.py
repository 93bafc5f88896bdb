"""`pyovn appctl`: sends a command to a running daemon's control socket,
as ovn-appctl and ovs-appctl do.

    pyovn appctl [-t TARGET] [-T SECS] COMMAND [ARG...]

TARGET is a socket path, or a program name whose pidfile
<rundir>/<program>.pid names the process, whose socket is then
<rundir>/<program>.<pid>.ctl.  The default target is ovn-northd.
"""

import argparse
import os
import sys

import ovs.unixctl.client
import ovs.util

from pyovn.daemon import paths
from pyovn.util import proc


def resolve_target(target, family="ovn"):
    """Returns the control socket path for TARGET, or raises ValueError."""
    if "/" in target:
        return target
    for fam in (family, "ovs"):
        rundir = paths.rundir(fam)
        pidfile = os.path.join(rundir, target + ".pid")
        pid = proc.read_pidfile(pidfile)
        if pid:
            return os.path.join(rundir, "%s.%d.ctl" % (target, pid))
    raise ValueError("cannot read pidfile \"%s\" (no such daemon running?)"
                     % os.path.join(paths.rundir(family), target + ".pid"))


def call(target, command, args=(), timeout=None):
    """Runs COMMAND on TARGET; returns (error, result) as strings, one None."""
    path = resolve_target(target)
    error, client = ovs.unixctl.client.UnixctlClient.create(path)
    if error:
        raise ConnectionError("cannot connect to \"%s\" (%s)"
                              % (path, os.strerror(error)))
    try:
        error, err_text, result = client.transact(command, list(args))
    finally:
        client.close()
    if error:
        raise ConnectionError("%s: transaction error (%s)"
                              % (path, os.strerror(error)))
    return err_text, result


def main(argv):
    parser = argparse.ArgumentParser(
        prog="pyovn appctl", description="Send a command to a running OVN daemon.")
    parser.add_argument("-t", "--target", default="ovn-northd",
                        help="pidfile name or control socket path")
    parser.add_argument("-T", "--timeout", type=int, default=0,
                        help="give up after SECS seconds")
    parser.add_argument("command")
    parser.add_argument("args", nargs="*")
    args = parser.parse_args(argv)
    if args.timeout:
        import signal
        signal.alarm(args.timeout)
    try:
        err_text, result = call(args.target, args.command, args.args)
    except (ValueError, ConnectionError) as e:
        sys.stderr.write("pyovn appctl: %s\n" % e)
        return 1
    if err_text is not None:
        sys.stderr.write(err_text if err_text.endswith("\n") else err_text + "\n")
        sys.stderr.write("pyovn appctl: %s: server returned an error\n" % args.target)
        return 2
    if result:
        sys.stdout.write(result if result.endswith("\n") else result + "\n")
    return 0
